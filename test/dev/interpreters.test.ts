/** The start-up check of the local interpreters against each micro's Lambda runtime, with stand-in interpreters. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { interpreterWarnings } from '../../lib/local/dev/interpreters';
import { micro } from './model-helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A PATH directory holding `name` scripts that print the given `--version` text and count their runs. */
function binDir(interpreters: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-interpreters-'));
  dirs.push(dir);
  for (const [name, output] of Object.entries(interpreters)) {
    const script = join(dir, name);
    writeFileSync(script, `#!/bin/sh\necho run >> "${dir}/${name}.runs"\n${output}\n`);
    chmodSync(script, 0o755);
  }
  return dir;
}

const runs = (dir: string, name: string) =>
  readFileSync(join(dir, `${name}.runs`), 'utf8')
    .trim()
    .split('\n').length;

describe('interpreterWarnings', () => {
  it('warns once per micro whose interpreter differs, asking each interpreter only once', async () => {
    const dir = binDir({ node: 'echo v24.3.0', python3: 'echo "Python 3.11.7"' });
    const warnings = await interpreterWarnings(
      [
        micro({ name: 'web', runtime: 'nodejs24.x' }),
        micro({ name: 'docs', kind: 'static', runtime: 'nodejs22.x' }),
        micro({ name: 'api', kind: 'python', runtime: 'python3.13' }),
        micro({ name: 'jobs', kind: 'python', runtime: 'python3.13' }),
      ],
      dir,
    );
    expect(Object.fromEntries(warnings)).toEqual({
      docs: `docs runs on nodejs22.x in the cloud; locally node is 24.3.0 (${dir}/node)`,
      api: `api runs on python3.13 in the cloud; locally python3 is 3.11.7 (${dir}/python3)`,
      jobs: `jobs runs on python3.13 in the cloud; locally python3 is 3.11.7 (${dir}/python3)`,
    });
    expect(runs(dir, 'node')).toBe(1);
    expect(runs(dir, 'python3')).toBe(1);
  });

  it('says clearly that a missing interpreter stops the micro, without failing', async () => {
    const dir = binDir({ node: 'echo v22.1.0' });
    const warnings = await interpreterWarnings([micro({ name: 'api', kind: 'python', runtime: 'python3.12' })], dir);
    expect(warnings.get('api')).toBe('api runs on python3.12 in the cloud, but python3 is not on PATH: a Python micro cannot run without python3');
  });

  it('reports an interpreter that cannot tell its version', async () => {
    const dir = binDir({ node: 'echo "broken install" >&2; exit 1' });
    const warnings = await interpreterWarnings([micro({ name: 'web', runtime: 'nodejs24.x' })], dir);
    expect(warnings.get('web')).toBe(
      `web runs on nodejs24.x in the cloud, but node at ${dir}/node failed to report its version (broken install): ` +
        'the runtime adapter of a Node.js micro cannot start without node',
    );
  });
});
