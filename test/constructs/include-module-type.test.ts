/**
 * `include` packages only what it lists (as Deta's builder did), so an app's `"type": "module"` package.json does
 * not change how its CommonJS build output loads; when the package as built cannot start, synth says so.
 * The app: an ES module server bundled by its own `commands` with esbuild into CommonJS, under `"type": "module"`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, test } from 'vitest';
import { findFreePort } from '../../lib/local/dev/free-port';
import { packageMicro } from '../../lib/packaging/micro-code';
import { writeApp } from './helpers';

const NODE = { architecture: lambda.Architecture.X86_64, runtime: lambda.Runtime.NODEJS_24_X };
const ESBUILD = join(__dirname, '../../node_modules/.bin/esbuild');
const out = () => mkdtempSync(join(tmpdir(), 'spaceport-out-'));

function app(format: 'cjs' | 'esm', include: string[] | undefined) {
  const spacefile =
    'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node dist/server.js\n    commands:\n' +
    `      - ${ESBUILD} src/server.js --bundle --platform=node --format=${format} --outfile=dist/server.js --log-level=warning\n` +
    (include ? `    include:\n${include.map((entry) => `      - ${entry}\n`).join('')}` : '');
  return writeApp(spacefile, {
    'package.json': JSON.stringify({ name: 'web', version: '1.0.0', type: 'module' }),
    'src/server.js':
      "import http from 'node:http';\n" +
      "http.createServer((req, res) => res.end('hello from the bundle')).listen(Number(process.env.PORT), '127.0.0.1');\n",
  });
}

/** Starts the packaged micro as the adapter does (`sh -c <run>` in the task root, PORT set) and asks it for `/`. */
async function startAndFetch(dir: string): Promise<string> {
  const port = await findFreePort();
  // In a group of its own, as the adapter runs it, so the server node starts under sh is stopped with it.
  const child = spawn('/bin/sh', ['-c', 'node dist/server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/`)).text();
      } catch {
        if (child.exitCode !== null) throw new Error(`the micro exited with code ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error('the micro never answered');
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
}

describe('include with a "type": "module" package.json', () => {
  test('a CommonJS bundle with `include: [dist]` is packaged without the package.json and starts', async () => {
    const dir = out();
    packageMicro(app('cjs', ['dist']).micros[0], dir, NODE);
    expect(existsSync(join(dir, 'dist/server.js'))).toBe(true);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
    expect(await startAndFetch(dir)).toBe('hello from the bundle');
  });

  test('listing package.json too: synth names the file, the package.json and the crash it would cause', () => {
    const micro = app('cjs', ['dist', 'package.json']).micros[0];
    expect(() => packageMicro(micro, out(), NODE)).toThrow(
      /^micro 'web' \(.*Spacefile:3\): runs 'node dist\/server.js', but dist\/server.js is written as CommonJS while Node would load it as an ES module \(package.json in the package says "type": "module"\): it would crash at start with "module is not defined in ES module scope"/,
    );
  });

  test('without include the whole app is packaged, so the same mistake is caught the same way', () => {
    expect(() => packageMicro(app('cjs', undefined).micros[0], out(), NODE)).toThrow(
      /dist\/server.js is written as CommonJS while Node would load it as an ES module/,
    );
  });

  test('an ES module bundle with its package.json included starts', async () => {
    const dir = out();
    packageMicro(app('esm', ['dist', 'package.json']).micros[0], dir, NODE);
    expect(await startAndFetch(dir)).toBe('hello from the bundle');
  });

  test('an include that leaves out the file `run` starts is a synth error', () => {
    const micro = writeApp(
      'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node dist/server.js\n    include:\n      - lib\n',
      {
        'lib/a.js': '',
        'dist/server.js': '',
      },
    ).micros[0];
    expect(() => packageMicro(micro, out(), NODE)).toThrow(
      /runs 'node dist\/server.js', but its include \(lib\) put no dist\/server.js in the package, so it cannot start/,
    );
  });
});
