/**
 * A micro's `dev` command runs the way Space's dev ran it: its src writable (a dev server writes its caches there,
 * `node_modules/.vite` and the like), still under the timeout and the other limits, named in the limits table;
 * `--prod` runs `run` instead, read-only, as the cloud does. Real router, emulator (bubblewrap), adapter, servers.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { PackagingError } from '../../lib/packaging/steps';
import { startTestDev, type TestDev } from './dev-helpers';

/** A server that says which command started it and whether it could write a cache file beside its code. */
const SERVER = `
const fs = require('node:fs');
let cache;
try {
  fs.mkdirSync('node_modules/.cache', { recursive: true });
  fs.writeFileSync('node_modules/.cache/built', String(Date.now()));
  cache = 'written';
} catch (error) {
  cache = error.code;
}
require('node:http').createServer((req, res) => {
  if (req.url === '/slow') return; // never answers: the timeout must still apply
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ mode: process.argv[2], cache }));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function app(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-dev-command-'));
  writeFileSync(
    join(dir, 'Spacefile'),
    'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    run: node server.js prod\n    dev: node server.js dev\n',
  );
  writeFileSync(join(dir, 'server.js'), SERVER);
  return join(dir, 'Spacefile');
}

let dev: TestDev | undefined;
afterEach(async () => {
  await dev?.server.stop();
  dev = undefined;
});

describe('spaceport dev and dev commands', () => {
  it('runs the dev command with a writable src, says so in the limits table, and keeps the timeout', async () => {
    dev = await startTestDev({ app: loadSpacefile(app()), schedule: false, timeoutMs: 1500 });
    expect(await (await dev.get('/')).json()).toEqual({ mode: 'dev', cache: 'written' });
    expect(dev.logs()).toMatch(/ {2}except dev commands +not enforced +web: their src is writable for the dev server's caches/);
    expect(dev.logs()).toMatch(/^web +\| runs its dev command \(node server.js dev\): its src is writable and it watches its own files/m);
    expect((await dev.get('/slow')).status).toBe(504);
  });

  it('--prod runs `run` with the code read-only, as in the cloud', async () => {
    dev = await startTestDev({ app: loadSpacefile(app()), schedule: false, prod: true });
    const seen = (await (await dev.get('/')).json()) as { mode: string; cache: string };
    expect(seen.mode).toBe('prod');
    expect(seen.cache).not.toBe('written'); // the read-only code directory refuses it (EROFS, or ENOENT for a new directory)
    expect(dev.logs()).not.toContain('except dev commands');
  });

  it("a framework micro without dev runs its engine's default as space dev did; --prod --build builds and serves its files", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-engine-dev-'));
    writeFileSync(join(dir, 'Spacefile'), 'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: vue\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'web', scripts: { dev: 'node dev.cjs', build: 'node build.cjs' } }));
    // A dev server that takes its port as vite does (`--port N`), and a build that writes dist/.
    writeFileSync(
      join(dir, 'dev.cjs'),
      "const port = Number(process.argv[process.argv.indexOf('--port') + 1]);\n" +
        "require('node:http').createServer((q, s) => s.end('dev server on ' + port)).listen(port, '127.0.0.1');\n",
    );
    writeFileSync(
      join(dir, 'build.cjs'),
      "require('node:fs').mkdirSync('dist', { recursive: true }); require('node:fs').writeFileSync('dist/index.html', 'built page');\n",
    );

    dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), schedule: false });
    expect(await (await dev.get('/')).text()).toMatch(/^dev server on \d+$/);
    expect(dev.logs()).toMatch(/^web +\| runs its dev command \(npm run dev -- --port \$PORT\)/m);
    await dev.server.stop();

    dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), schedule: false, prod: true, build: true });
    expect(await (await dev.get('/')).text()).toBe('built page');
  });

  it('--prod runs a Next micro from its standalone server with .next/static and public beside it, as synth packages it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-next-prod-'));
    writeFileSync(join(dir, 'Spacefile'), 'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: next\n');
    const files: Record<string, string> = {
      // Next's standalone server reads its static files relative to itself, as the real one does.
      '.next/standalone/server.js':
        "const { readFileSync } = require('node:fs'); const { join } = require('node:path');\n" +
        "const file = (url) => url.startsWith('/_next/static/') ? join(__dirname, '.next/static', url.slice(14)) : join(__dirname, 'public', url);\n" +
        "require('node:http').createServer((q, s) => { try { s.end(q.url === '/' ? 'next page' : readFileSync(file(q.url))); } catch { s.statusCode = 404; s.end(); } })" +
        '.listen(Number(process.env.PORT), "127.0.0.1");\n',
      '.next/static/chunks/app.js': 'chunk',
      'public/logo.txt': 'logo',
      'app/page.js': 'export default function Page() {}',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }

    dev = await startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), schedule: false, prod: true });
    expect(await (await dev.get('/')).text()).toBe('next page');
    expect(await (await dev.get('/_next/static/chunks/app.js')).text()).toBe('chunk');
    expect(await (await dev.get('/logo.txt')).text()).toBe('logo');
    await dev.server.stop();
    dev = undefined;
    // The copy it ran from is gone with the dev server; the source tree is as it was.
    expect(existsSync(join(dir, '.next/standalone/.next'))).toBe(false);
  });

  it("--prod names what a Next micro lacks before anything starts: output: 'standalone'", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-next-prod-'));
    writeFileSync(join(dir, 'Spacefile'), 'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: next\n');
    mkdirSync(join(dir, '.next/server'), { recursive: true });
    const started = startTestDev({ app: loadSpacefile(join(dir, 'Spacefile')), schedule: false, prod: true });
    await expect(started).rejects.toThrow(PackagingError);
    await expect(started).rejects.toThrow(/set output: 'standalone' in next.config.js/);
  });
});
