/**
 * A Python micro's `deta` requirement installs Deta's SDK (1.x) or stops the build with the reason, whatever the
 * index holds under that name. Offline: stand-in wheels of both projects in a local directory pip searches.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageMicro } from '../../lib/packaging/micro-code';
import { buildWheel } from '../python-wheels';
import { writeApp } from './helpers';

const PYTHON = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.PYTHON_3_13 };

beforeAll(() => {
  const index = mkdtempSync(join(tmpdir(), 'spaceport-wheels-'));
  buildWheel(index, { name: 'deta', version: '1.2.0', files: { 'deta/__init__.py': 'SDK = "deta"\n' } });
  // What else the name may carry: an older unrelated release and a newer major one.
  buildWheel(index, { name: 'deta', version: '0.2.54', files: { 'deta/__init__.py': 'SDK = "someone else"\n' } });
  buildWheel(index, { name: 'deta', version: '2.0.0', files: { 'deta/__init__.py': 'SDK = "someone else"\n' } });
  process.env.PIP_NO_INDEX = '1';
  process.env.PIP_FIND_LINKS = index;
});
afterAll(() => {
  delete process.env.PIP_NO_INDEX;
  delete process.env.PIP_FIND_LINKS;
});

function micro(requirements: string) {
  return writeApp('v: 0\nmicros:\n  - name: api\n    src: .\n    engine: python3.9\n', { 'main.py': '', 'requirements.txt': requirements }).micros[0];
}

/** The deta version packaging installed. */
function installedDeta(requirements: string): string | undefined {
  const out = mkdtempSync(join(tmpdir(), 'spaceport-out-'));
  packageMicro(micro(requirements), out, PYTHON);
  return readdirSync(out)
    .find((name) => /^deta-.*\.dist-info$/.test(name))
    ?.replace(/^deta-(.*)\.dist-info$/, '$1');
}

describe('deta in requirements.txt', () => {
  test("unpinned, it resolves to Deta's SDK 1.x, never a newer major release under the name", () => {
    expect(installedDeta('deta\n')).toBe('1.2.0');
  });

  test('pinned to 1.x, as written', () => {
    expect(installedDeta('Deta==1.2.0  # the SDK\n')).toBe('1.2.0');
  });

  test("pinned to another project's release: the build stops, naming the line and what to pin", () => {
    expect(() => installedDeta('flask\ndeta==0.2.54\n')).toThrow(
      /micro 'api' \(.*Spacefile:3\): requirements.txt:2 asks for deta 0.2.54, which is not Deta's SDK .* pin deta==1.2.0/,
    );
  });

  test("a range that excludes 1.x: pip's reason, with the constraint that caused it", () => {
    expect(() => installedDeta('deta>=2\n')).toThrow(
      /The user requested deta>=2\n\s+The user requested \(constraint\) deta<2,>=1[\s\S]*packaging keeps deta to Deta's SDK, 1.x/,
    );
  });
});
