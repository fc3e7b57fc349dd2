import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, test, vi } from 'vitest';
import { npmInstallStep, pipInstallStep } from '../../lib/packaging/dependencies';
import { selectSourceFiles } from '../../lib/packaging/file-selection';
import { packageMicro, packagingHash } from '../../lib/packaging/micro-code';
import { nodeEntry } from '../../lib/packaging/node-bundle';
import { PackagingError, runStep, shellStep } from '../../lib/packaging/steps';
import { writeApp } from './helpers';

const X86 = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_24_X };

/** Every file under `dir` with its mode's executable bit and content hash: what a function would see. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        out[relative(dir, path)] =
          `${statSync(path).mode & 0o100 ? 'x' : '-'}${createHash('sha1').update(readFileSync(path)).digest('hex').slice(0, 8)}`;
    }
  };
  walk(dir);
  return out;
}

const out = () => mkdtempSync(join(tmpdir(), 'spaceport-out-'));

describe('source selection', () => {
  test('Deta default ignores and .spaceignore (with !) apply; serve and include survive the defaults', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: site\n    src: .\n    engine: static\n    serve: dist\n', {
      'dist/index.html': '',
      'build/x.js': '',
      'node_modules/a/index.js': '',
      '.env.local': '',
      '.git/HEAD': '',
      '.venv/bin/python': '',
      'venv/bin/python': '',
      'virtualenv/bin/python': '',
      'secret.txt': '',
      'keep.log': '',
      'drop.log': '',
      '.spaceignore': 'secret.txt\n*.log\n!keep.log\n',
    });
    expect(selectSourceFiles(app.micros[0])).toEqual(['.spaceignore', 'Spacefile', 'dist/index.html', 'keep.log']);
  });
});

describe('what never leaves the machine (issue 10, findings 4 and 5)', () => {
  const STATIC = 'v: 0\nmicros:\n  - name: site\n    src: .\n    engine: static\n    serve: .\n';

  test('.spaceport (the owner secret, keys) is never packaged, even when .spaceignore re-includes it', () => {
    const app = writeApp(STATIC, {
      'index.html': '',
      '.spaceport/owner-secret': 'secret',
      '.spaceport/api-keys.json': '{}',
      'nested/.spaceport/internal-key': 'key',
      '.spaceignore': '!.spaceport\n!.spaceport/**\n',
    });
    expect(selectSourceFiles(app.micros[0])).toEqual(['.spaceignore', 'Spacefile', 'index.html']);
  });

  test('symlinks: one inside src is packaged as its file, a dangling one or a loop is skipped, one leaving src is refused', () => {
    const app = writeApp(STATIC, { 'index.html': 'home', 'assets/app.css': 'css' });
    const root = app.rootDir;
    symlinkSync('index.html', join(root, 'home.html'));
    symlinkSync('assets', join(root, 'styles'));
    symlinkSync('missing', join(root, 'dangling'));
    symlinkSync('.', join(root, 'loop'));
    expect(selectSourceFiles(app.micros[0])).toEqual(['Spacefile', 'assets/app.css', 'home.html', 'index.html', 'styles/app.css']);
    const output = out();
    packageMicro(app.micros[0], output, X86);
    expect(readFileSync(join(output, 'home.html'), 'utf8')).toBe('home');

    // A link is judged by what it leads to as well: to .spaceport, or to a file the default ignores drop.
    symlinkSync('.spaceport', join(root, 'state'));
    symlinkSync('.env', join(root, 'settings'));
    writeFileSync(join(root, '.env'), 'TOKEN=x');
    mkdirSync(join(root, '.spaceport'));
    writeFileSync(join(root, '.spaceport/owner-secret'), 'secret');
    expect(selectSourceFiles(app.micros[0])).toEqual(['Spacefile', 'assets/app.css', 'home.html', 'index.html', 'styles/app.css']);

    symlinkSync('/etc', join(root, 'etc'));
    expect(() => selectSourceFiles(app.micros[0])).toThrow(PackagingError);
    expect(() => selectSourceFiles(app.micros[0])).toThrow("'etc' is a symlink to /etc, outside the micro's src");
  });
});

describe('commands', () => {
  test("pip installs Lambda-platform wheels for the runtime's Python, never this machine's", () => {
    const step = pipInstallStep('/src', '/out', '3.13', 'arm64', '/constraints.txt');
    expect(step.command).toBe('python3');
    expect(step.args.join(' ')).toBe(
      '-m pip install -r requirements.txt -c /constraints.txt -t /out --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 ' +
        '--platform manylinux_2_34_aarch64 --implementation cp --python-version 3.13 --only-binary=:all: --no-compile ' +
        '--disable-pip-version-check --no-input',
    );
    expect(pipInstallStep('/src', '/out', '3.12', 'x86_64', '/constraints.txt').args).toContain('manylinux2014_x86_64');
  });

  test("npm uses ci with a lockfile, install without, and targets Linux on the function's CPU", () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-npm-'));
    expect(npmInstallStep(dir, 'x86_64', true).args).toEqual(['install', '--omit=dev', '--no-audit', '--no-fund', '--os=linux', '--cpu=x64']);
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    expect(npmInstallStep(dir, 'arm64', false).args).toEqual(['ci', '--no-audit', '--no-fund', '--os=linux', '--cpu=arm64']);
  });

  test('a failing step names the micro, its Spacefile line, the step and what it printed', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n', { 'index.js': '' });
    const micro = app.micros[0];
    expect(() => runStep(micro, shellStep('echo compiling; echo "boom: missing thing" >&2; exit 3', app.rootDir))).toThrow(
      new PackagingError(micro, 'echo compiling; echo "boom: missing thing" >&2; exit 3 failed (exit code 3):\ncompiling\nboom: missing thing'),
    );
    expect(() => runStep(micro, shellStep('true', app.rootDir))).not.toThrow();
  });

  test('a requirement pip cannot install is a packaging error naming the micro and quoting pip', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: api\n    src: .\n    engine: python3.9\n', {
      'main.py': '',
      'requirements.txt': 'surely-not-a-real-package-spaceport==1.0\n',
    });
    process.env.PIP_NO_INDEX = '1'; // no PyPI here: fail fast, through the same path a missing wheel takes
    try {
      expect(() => packageMicro(app.micros[0], out(), { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.PYTHON_3_13 })).toThrow(
        /^micro 'api' \(.*Spacefile:3\): pip install -r requirements.txt \(CPython 3.13, x86_64 wheels\) failed \(exit code 1\):\n[\s\S]*surely-not-a-real-package-spaceport/,
      );
    } finally {
      delete process.env.PIP_NO_INDEX;
    }
  });
});

describe('packageMicro', () => {
  test('commands run on a scratch copy; the output is the build, minus ignored files; the user tree is untouched', () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: tool\n    src: .\n    engine: custom\n    run: ./bin/serve\n    commands:\n      - mkdir -p bin && printf "#!/bin/sh\\n" > bin/serve && chmod +x bin/serve\n',
      { 'README.md': 'hi', '.env': 'SECRET=1' },
    );
    const dir = out();
    packageMicro(app.micros[0], dir, X86);
    expect(Object.keys(tree(dir)).sort()).toEqual(['README.md', 'Spacefile', 'bin/serve']);
    expect(tree(dir)['bin/serve'].startsWith('x')).toBe(true);
    expect(existsSync(join(app.rootDir, 'bin'))).toBe(false);
  });

  test('include keeps only the listed entries; a missing one is an error after the commands', () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node server.js\n    include:\n      - server.js\n      - lib\n',
      {
        'server.js': '',
        'lib/a.js': '',
        'notes.md': '',
      },
    );
    const dir = out();
    packageMicro(app.micros[0], dir, X86);
    expect(Object.keys(tree(dir)).sort()).toEqual(['lib/a.js', 'server.js']);
    const missing = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    include:\n      - dist\n', { 'server.js': '' });
    expect(() => packageMicro(missing.micros[0], out(), X86)).toThrow(/micro 'web' .*includes 'dist', which does not exist after its commands ran/);
  });

  test("a link a build makes into the app's .spaceport/ is refused, not copied in as the secrets it leads to", () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: tool\n    src: .\n    engine: custom\n    run: ./serve\n    include:\n      - dist\n    commands:\n      - mkdir -p dist && ln -s "$APP_STATE" dist/state\n',
      { '.spaceport/owner-secret': 'owner secret' },
    );
    vi.stubEnv('APP_STATE', join(app.rootDir, '.spaceport'));
    try {
      const dir = out();
      expect(() => packageMicro(app.micros[0], dir, X86)).toThrow(
        /micro 'tool'.*'[^']*dist\/state' is a symlink to .*\.spaceport, inside the app's \.spaceport\/ \(its secrets\): delete the link/,
      );
      expect(JSON.stringify(tree(dir))).not.toContain('owner');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test('a link a build makes to a directory above .spaceport/ does not carry the secrets in under it either', () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: tool\n    src: .\n    engine: custom\n    run: ./serve\n    include:\n      - dist\n    commands:\n      - mkdir -p dist && ln -s "$APP_ROOT" dist/app\n',
      { '.spaceport/owner-secret': 'owner secret' },
    );
    vi.stubEnv('APP_ROOT', app.rootDir);
    try {
      const dir = out();
      expect(() => packageMicro(app.micros[0], dir, X86)).toThrow(
        /micro 'tool'.*'[^']*dist\/app\/\.spaceport' is .*\.spaceport through a symlink, inside the app's \.spaceport\/ \(its secrets\)/,
      );
      expect(JSON.stringify(tree(dir))).not.toContain('owner');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test('a Node micro without commands gets its production dependencies, never its devDependencies', () => {
    const packages = mkdtempSync(join(tmpdir(), 'spaceport-packages-'));
    for (const name of ['runtime-dep', 'build-tool']) {
      mkdirSync(join(packages, name));
      writeFileSync(join(packages, name, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
      writeFileSync(join(packages, name, 'index.js'), `module.exports = '${name}';\n`);
    }
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node index.js\n', {
      'index.js': 'console.log(require("runtime-dep"));\n',
      'package.json': JSON.stringify({
        name: 'web',
        version: '1.0.0',
        dependencies: { 'runtime-dep': `file:${join(packages, 'runtime-dep')}` },
        devDependencies: { 'build-tool': `file:${join(packages, 'build-tool')}` },
      }),
    });
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: app.rootDir, stdio: 'ignore' }); // the lock file
    const dir = out();
    const stderr = vi.spyOn(process.stderr, 'write');
    packageMicro(app.micros[0], dir, X86);
    const progress = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
    stderr.mockRestore();
    expect(readdirSync(join(dir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['runtime-dep']);
    // Each long step said when it started and how long it took, and the micro what it came to.
    expect(progress).toMatch(/^\[spaceport\] web: npm ci --omit=dev .* \.\.\.$/m);
    expect(progress).toMatch(/^\[spaceport\] web: npm ci --omit=dev .* done in \d+\.\d s$/m);
    expect(progress).toMatch(/^\[spaceport\] web: packaged \d+ files, 0\.0 MB, in \d+\.\d s$/m);
    expect(execFileSync('node', ['index.js'], { cwd: dir, encoding: 'utf8' })).toBe('runtime-dep\n');
  });

  test("the app's .npmrc (registry tokens) is used to install but never packaged", () => {
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node index.js\n', {
      'index.js': '',
      '.npmrc': '//registry.example/:_authToken=secret-token\n',
    });
    const dir = out();
    packageMicro(app.micros[0], dir, X86);
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    expect(existsSync(join(dir, '.npmrc'))).toBe(false);
  });

  test('the same input packages to the same output and hash; a change in source or target changes the hash', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n', {
      'index.js': 'console.log(1)',
      'package.json': '{"name":"w","version":"1.0.0"}',
    });
    const micro = app.micros[0];
    const [first, second] = [out(), out()];
    packageMicro(micro, first, X86);
    packageMicro(micro, second, X86);
    expect(tree(first)).toEqual(tree(second));
    const before = packagingHash(micro, X86);
    expect(packagingHash(micro, X86)).toBe(before);
    expect(packagingHash(micro, { ...X86, architecture: lambda.Architecture.ARM_64 })).not.toBe(before);
    writeFileSync(join(app.rootDir, 'index.js'), 'console.log(2)');
    expect(packagingHash(micro, X86)).not.toBe(before);
  });
});

describe('bundleNode', () => {
  test('only `node <file>` starts are bundled', () => {
    expect(nodeEntry('node server.js')).toBe('server.js');
    expect(nodeEntry('node src/index.mjs')).toBe('src/index.mjs');
    expect(nodeEntry('node --inspect server.js')).toBeUndefined();
    expect(nodeEntry('npm start')).toBeUndefined();
    expect(nodeEntry('node server.js && echo done')).toBeUndefined();
  });

  test('the entry becomes one file with its dependencies, at the same path, and node_modules is gone', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node src/server.js\n', {
      'package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { greeter: 'file:./vendor/greeter' } }),
      'vendor/greeter/package.json': JSON.stringify({ name: 'greeter', version: '1.0.0', main: 'index.js' }),
      'vendor/greeter/index.js': 'module.exports = () => "hello from greeter";',
      'src/server.js': 'console.log(require("greeter")());',
    });
    const dir = out();
    packageMicro(app.micros[0], dir, { ...X86, bundleNode: true });
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    expect(execFileSync('node', ['src/server.js'], { cwd: dir, encoding: 'utf8' })).toBe('hello from greeter\n');
  });

  test('what esbuild cannot bundle (a native addon) fails at synth, saying how to ship node_modules instead', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node server.js\n', {
      'server.js': 'require("./addon.node");',
      'addon.node': 'binary',
    });
    expect(() => packageMicro(app.micros[0], out(), { ...X86, bundleNode: true })).toThrow(
      /^micro 'web' \(.*\): esbuild could not bundle server.js; turn bundling off for this micro to ship node_modules as they are:\n.*server.js:1: No loader is configured for ".node" files/,
    );
  });
});
