/**
 * What `spaceport dev` starts each engine's micro with when the Spacefile gives no `dev`: space-cli's default for the
 * engine (`EngineToDevCommand`), only when package.json has that script, else what the cloud runs (docs/spacefile.md,
 * "Engines"; docs/dev.md). `--prod` always runs what the cloud runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devCommand, localCommand } from '../../lib/local/dev/dev-command';
import { loadSpacefile } from '../../lib/spacefile/load';

function micro(engine: string, scripts: Record<string, string> | undefined, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-engine-dev-'));
  writeFileSync(join(dir, 'Spacefile'), `v: 0\nmicros:\n  - name: web\n    src: .\n    engine: ${engine}\n${extra}`);
  if (scripts) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'web', scripts }));
  if (engine === 'nodejs16') writeFileSync(join(dir, 'index.js'), '');
  return loadSpacefile(join(dir, 'Spacefile')).micros[0]!;
}

const ALL_SCRIPTS = { start: 'x', dev: 'x', build: 'x' };

describe("spaceport dev's command per engine", () => {
  it.each([
    ['react', 'npm run start -- --port $PORT'],
    ['vue', 'npm run dev -- --port $PORT'],
    ['svelte', 'npm run dev -- --port $PORT'],
    ['next', 'npm run dev -- --port $PORT'],
    ['nuxt', 'npm run dev -- --port $PORT'],
    ['svelte-kit', 'npm run dev -- --port $PORT'],
  ])("%s: space-cli's default, %s", (engine, command) => {
    expect(devCommand(micro(engine, ALL_SCRIPTS))).toBe(command);
  });

  it('a framework micro without the script runs what the cloud runs; static, Node and Python get no default', () => {
    expect(devCommand(micro('react', { dev: 'x' }))).toBeUndefined();
    expect(localCommand(micro('next', { build: 'x' }), false)).toBe('node server.js');
    expect(localCommand(micro('vue', {}), false)).toBeUndefined(); // its files, served statically
    expect(devCommand(micro('static', ALL_SCRIPTS, '    serve: .\n'))).toBeUndefined();
    expect(devCommand(micro('nodejs16', ALL_SCRIPTS))).toBeUndefined();
    expect(localCommand(micro('nodejs16', ALL_SCRIPTS), false)).toBe('node index.js');
  });

  it("the Spacefile's dev wins; --prod runs run", () => {
    const custom = micro('svelte-kit', ALL_SCRIPTS, '    dev: npm run dev -- --host\n');
    expect(localCommand(custom, false)).toBe('npm run dev -- --host');
    expect(localCommand(custom, true)).toBe('node build/index.js');
  });
});
