/**
 * A dependency install that fails during synth says why, in the installer's words, and what to do: real npm and
 * pip runs on small apps written to fail (offline: local packages and tarballs, pip with no index).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterEach, describe, expect, test } from 'vitest';
import { packageMicro } from '../../lib/packaging/micro-code';
import { writeApp } from './helpers';

const NODE = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_24_X };
const PYTHON = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.PYTHON_3_13 };
const out = () => mkdtempSync(join(tmpdir(), 'spaceport-out-'));

/** A local package directory (and, with `pack`, its tarball) that npm installs without a registry. */
function localPackage(root: string, manifest: Record<string, unknown>, pack = false): string {
  const dir = join(root, `${String(manifest.name)}-src`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', ...manifest }));
  writeFileSync(join(dir, 'index.js'), 'module.exports = 1;\n');
  if (!pack) return dir;
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: dir, encoding: 'utf8' }).trim();
  return join(root, tarball);
}

function failure(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected packaging to fail');
}

const SPACEFILE = 'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node index.js\n';

describe('npm', () => {
  test("a lock file out of sync with package.json: npm's reason, not its usage text, and the command that fixes it", () => {
    const packages = mkdtempSync(join(tmpdir(), 'spaceport-packages-'));
    const first = localPackage(packages, { name: 'first' });
    const second = localPackage(packages, { name: 'second' });
    const app = writeApp(SPACEFILE, { 'index.js': 'require("first");\n' });
    writeFileSync(join(app.rootDir, 'package.json'), JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { first: `file:${first}` } }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: app.rootDir, stdio: 'ignore' });
    // A dependency added to package.json by hand, without `npm install`: the lock file no longer matches.
    writeFileSync(
      join(app.rootDir, 'package.json'),
      JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { first: `file:${first}`, second: `file:${second}` } }),
    );

    const message = failure(() => packageMicro(app.micros[0], out(), NODE));
    expect(message).toMatch(/^micro 'web' \(.*Spacefile:3\): npm ci --omit=dev .* failed \(exit code 1\):\n/);
    expect(message).toContain('`npm ci` can only install packages when your package.json and package-lock.json');
    expect(message).toContain('Missing: second@1.0.0 from lock file');
    expect(message.match(/Missing: second@1.0.0 from lock file/g)).toHaveLength(1);
    expect(message).toContain(`run 'npm install' in ${app.rootDir} and commit the updated lock file`);
    expect(message).not.toMatch(/Usage:|Clean install a project|--install-strategy/);
  });

  test('a peer-dependency conflict: the conflict npm found, and how to install the way the app expects', () => {
    const packages = mkdtempSync(join(tmpdir(), 'spaceport-packages-'));
    const library = localPackage(packages, { name: 'library' }, true);
    const plugin = localPackage(packages, { name: 'plugin', peerDependencies: { library: '^2.0.0' } }, true);
    const app = writeApp(SPACEFILE, {
      'index.js': 'require("plugin");\n',
      'package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { library: `file:${library}`, plugin: `file:${plugin}` } }),
    });

    const message = failure(() => packageMicro(app.micros[0], out(), NODE));
    expect(message).toContain('ERESOLVE unable to resolve dependency tree');
    expect(message).toContain('peer library@"^2.0.0" from plugin@1.0.0');
    expect(message).toContain(`add 'legacy-peer-deps=true' to ${app.rootDir}/.npmrc`);

    // Following the advice packages the app.
    writeFileSync(join(app.rootDir, '.npmrc'), 'legacy-peer-deps=true\n');
    const dir = out();
    packageMicro(app.micros[0], dir, NODE);
    expect(execFileSync('node', ['-e', 'require("plugin"); console.log("ok")'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('ok');
  });
});

describe('pip', () => {
  afterEach(() => {
    delete process.env.PIP_NO_INDEX;
  });

  test("a requirement with no wheel for Lambda: pip's ERROR lines and what packaging installs", () => {
    const app = writeApp('v: 0\nmicros:\n  - name: api\n    src: .\n    engine: python3.9\n', {
      'main.py': '',
      'requirements.txt': 'surely-not-a-real-package-spaceport==1.0\n',
    });
    process.env.PIP_NO_INDEX = '1'; // no PyPI here: pip finds nothing, as it does for a package without a Lambda wheel
    const message = failure(() => packageMicro(app.micros[0], out(), PYTHON));
    expect(message).toMatch(
      /^micro 'api' \(.*Spacefile:3\): pip install -r requirements.txt \(CPython 3.13, x86_64 wheels\) failed \(exit code 1\):\n/,
    );
    expect(message).toContain('ERROR: No matching distribution found for surely-not-a-real-package-spaceport==1.0');
    expect(message).toContain('packaging installs binary wheels only');
    expect(message).not.toMatch(/Looking in|Collecting/);
  });
});
