/**
 * Framework engines packaged as Deta's builder did (docs/spacefile.md, "Engines"): without `commands`, installed and
 * built with the package's own `npm run build`, then exactly what the production server or static host needs; what
 * cannot work is a synth error saying why. The builds here are stand-ins that write each framework's documented
 * output layout, offline; test/frameworks/real-starters.test.ts builds the frameworks' real starters.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, test } from 'vitest';
import { packageMicro } from '../../lib/packaging/micro-code';
import { writeApp } from './helpers';

const NODE = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_24_X };
const out = () => mkdtempSync(join(tmpdir(), 'spaceport-out-'));
const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

/** A build script that writes `outputs` (path -> content), as the framework's build would. */
function buildScript(outputs: Record<string, string>): string {
  return `const fs = require('node:fs'); const path = require('node:path');\nfor (const [file, text] of Object.entries(${JSON.stringify(outputs)})) { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); }\n`;
}

function frameworkApp(engine: string, outputs: Record<string, string>, extra: Record<string, string> = {}, manifest: Record<string, unknown> = {}) {
  return writeApp(`v: 0\nmicros:\n  - name: web\n    src: .\n    engine: ${engine}\n`, {
    'package.json': JSON.stringify({ name: 'web', version: '1.0.0', scripts: { build: 'node build.cjs' }, ...manifest }),
    'build.cjs': buildScript(outputs),
    ...extra,
  }).micros[0];
}

describe('engines built without commands', () => {
  test('vue: npm run build, then the built dist is served', () => {
    const dir = out();
    packageMicro(frameworkApp('vue', { 'dist/index.html': '<div id="app"></div>', 'dist/assets/app.js': '' }, { 'src/App.vue': '' }), dir, NODE);
    expect(files(dir)).toEqual(['dist/assets/app.js', 'dist/index.html']);
  });

  test("react and svelte: built, then their templates' directories served (Create React App's build, Rollup's public)", () => {
    const react = out();
    packageMicro(
      frameworkApp('react', { 'build/index.html': '<div id="root"></div>', 'build/static/js/main.js': '' }, { 'src/App.js': '' }),
      react,
      NODE,
    );
    expect(files(react)).toEqual(['build/index.html', 'build/static/js/main.js']);
    const svelte = out();
    packageMicro(
      frameworkApp('svelte', { 'public/build/bundle.js': '' }, { 'public/index.html': '<body></body>', 'src/App.svelte': '' }),
      svelte,
      NODE,
    );
    expect(files(svelte)).toEqual(['public/build/bundle.js', 'public/index.html']);
  });

  test('static: never built, even with a build script; its serve directory as it is', () => {
    const dir = out();
    const micro = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: static\n    serve: site\n', {
      'package.json': JSON.stringify({ name: 'web', version: '1.0.0', scripts: { build: 'node build.cjs' } }),
      'build.cjs': buildScript({ 'site/built.html': '' }),
      'site/index.html': '<h1>as written</h1>',
    }).micros[0];
    packageMicro(micro, dir, NODE);
    expect(files(dir)).toEqual(['site/index.html']);
  });

  test("a Vite app under engine react builds dist, not CRA's build: the synth error names the directory to serve", () => {
    const micro = frameworkApp('react', { 'dist/index.html': '<div id="root"></div>', 'dist/assets/app.js': '' });
    expect(() => packageMicro(micro, out(), NODE)).toThrow(
      /micro 'web' .*: serves 'build', which does not exist after its build ran: the build wrote its site to 'dist'; set serve: dist$/,
    );
    // A build that wrote no site anywhere gets no guess.
    expect(() => packageMicro(frameworkApp('react', { 'dist/app.js': '' }), out(), NODE)).toThrow(
      /serves 'build', which does not exist after its build ran$/,
    );
  });

  test('next: the standalone server at the root, its static files and public beside it, no source', () => {
    const dir = out();
    const micro = frameworkApp(
      'next',
      {
        '.next/standalone/server.js': 'require("node:http").createServer((q, s) => s.end("next")).listen(process.env.PORT);\n',
        '.next/standalone/node_modules/next/package.json': '{}',
        '.next/static/chunks/main.js': '',
        '.next/cache/big': '',
      },
      { 'pages/index.js': '', 'public/favicon.ico': '' },
    );
    packageMicro(micro, dir, NODE);
    expect(files(dir)).toEqual(['.next/static/chunks/main.js', 'node_modules/next/package.json', 'public/favicon.ico', 'server.js']);
  });

  test("next without output: 'standalone': a synth error saying what to set", () => {
    expect(() => packageMicro(frameworkApp('next', { '.next/BUILD_ID': 'x' }), out(), NODE)).toThrow(
      /engine next runs Next's standalone server \(.next\/standalone\/server.js\), but its build produced none: set output: 'standalone' in next.config.js/,
    );
  });

  test('svelte-kit: adapter-node\'s build, package.json ("type": "module") and production dependencies only', () => {
    const packages = mkdtempSync(join(tmpdir(), 'spaceport-packages-'));
    for (const name of ['runtime-dep', 'build-tool']) {
      mkdirSync(join(packages, name));
      writeFileSync(join(packages, name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
    }
    const micro = frameworkApp(
      'svelte-kit',
      { 'build/index.js': 'import http from "node:http";\nhttp.createServer((q, s) => s.end("kit")).listen(process.env.PORT);\n' },
      { 'src/routes/+page.svelte': '' },
      {
        type: 'module',
        dependencies: { 'runtime-dep': `file:${join(packages, 'runtime-dep')}` },
        devDependencies: { 'build-tool': `file:${join(packages, 'build-tool')}` },
      },
    );
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: micro.srcDir, stdio: 'ignore' });
    const dir = out();
    packageMicro(micro, dir, NODE);
    expect(files(dir).filter((file) => !file.startsWith('node_modules/.'))).toEqual([
      'build/index.js',
      'node_modules/runtime-dep/package.json',
      'package.json',
    ]);
  });

  test('svelte-kit without adapter-node: a synth error naming the adapter', () => {
    expect(() => packageMicro(frameworkApp('svelte-kit', { '.svelte-kit/output/x': '' }), out(), NODE)).toThrow(
      /use @sveltejs\/adapter-node in svelte.config.js/,
    );
  });

  test("nuxt: the self-contained .output only; nuxt generate's output alone is a synth error", () => {
    const dir = out();
    packageMicro(
      frameworkApp('nuxt', { '.output/server/index.mjs': 'export {};\n', '.output/public/_nuxt/app.js': '' }, { 'app.vue': '' }),
      dir,
      NODE,
    );
    expect(files(dir)).toEqual(['.output/public/_nuxt/app.js', '.output/server/index.mjs']);
    expect(() => packageMicro(frameworkApp('nuxt', { '.output/public/index.html': '' }), out(), NODE)).toThrow(
      /build with 'nuxt build' \(not 'nuxt generate'\)/,
    );
  });

  test("a package over Lambda's 250 MB stops synth", () => {
    const micro = writeApp('v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node index.js\n', { 'index.js': '' }).micros[0];
    truncateSync(join(micro.srcDir, 'index.js'), 251 * 1024 * 1024); // sparse: costs no disk here
    expect(() => packageMicro(micro, out(), NODE)).toThrow(/its package is 251 MB unzipped, over Lambda's 250 MB/);
  });
});
