// Cost of the layer's shutdown extension (extensions/spaceport-shutdown), through the local emulator with the real
// layer and a copy of it without extensions/, interleaved: INIT duration (Lambda starts the runtime only once the
// extension has registered, so its start adds to every cold start), the extension's resident memory while the
// environment idles, and how long env.shutdown() takes (0 ms phase without it; SIGTERM, the adapter's exit, then
// SHUTDOWN with it). Node runtime: only node on PATH (the Node implementation runs); Python runtime: python3 too
// (the Python implementation runs). The app is the same tiny `node server.js` everywhere.
// Run: npm run build && node bench/run.js extension
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ExecutionEnvironment } = require(join(repo, 'dist/lib/local/emulator'));
const ROUNDS = 7;

const work = mkdtempSync(join(tmpdir(), 'spaceport-extension-bench-'));
const withExtension = join(work, 'layer');
execFileSync(process.execPath, [join(repo, 'runtime-layer/build.mjs'), withExtension], { stdio: 'inherit' });
const withoutExtension = join(work, 'layer-without-extension');
cpSync(withExtension, withoutExtension, { recursive: true });
rmSync(join(withoutExtension, 'extensions'), { recursive: true });
mkdirSync(join(work, 'app'));
writeFileSync(
  join(work, 'app', 'server.js'),
  `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`,
);

// PATH directories as on Lambda: a Node runtime has no python3; a Python one has it (node is here for the app).
const python3 = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
const dirnameTool = execFileSync('/bin/sh', ['-c', 'command -v dirname']).toString().trim();
const paths = {};
for (const [runtime, tools] of Object.entries({ node: { node: process.execPath }, python: { node: process.execPath, python3 } })) {
  paths[runtime] = join(work, `path-${runtime}`);
  mkdirSync(paths[runtime]);
  for (const [name, target] of Object.entries({ ...tools, dirname: dirnameTool })) symlinkSync(target, join(paths[runtime], name));
}

const EVENT = JSON.stringify({
  version: '2.0',
  rawPath: '/',
  rawQueryString: '',
  headers: { host: 'bench' },
  requestContext: { http: { method: 'GET', sourceIp: '192.0.2.1' } },
  isBase64Encoded: false,
});
let port = 47100;

/** VmRSS and RssAnon (MB) of the running extension, found by its command line. */
function extensionRss() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!/shutdown[-_]extension/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]);
      return { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

async function coldStart(runtime, layerDir) {
  const env = new ExecutionEnvironment({
    functionName: `bench-${runtime}`,
    taskRoot: join(work, 'app'),
    layerDir,
    runtime: runtime === 'node' ? 'nodejs22.x' : 'python3.12',
    environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap', SPACEPORT_RUN: 'node server.js', PORT: String(port++), PATH: paths[runtime] },
    log: () => {},
  });
  const result = await env.invoke(EVENT);
  if (result.outcome !== 'success') throw new Error(`${runtime} cold start failed: ${result.payload}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const rss = extensionRss();
  const started = performance.now();
  await env.shutdown();
  return { initMs: result.initDurationMs, rss, shutdownMs: performance.now() - started };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const samples = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const runtime of ['node', 'python']) {
    for (const [label, layerDir] of [
      ['with', withExtension],
      ['without', withoutExtension],
    ]) {
      (samples[`${runtime} ${label}`] ??= []).push(await coldStart(runtime, layerDir));
    }
  }
}
rmSync(work, { recursive: true, force: true });

console.log(`median of ${ROUNDS} interleaved cold starts per line (INIT = Lambda's Init Duration: extension, adapter, app, readiness):`);
for (const runtime of ['node', 'python']) {
  const [withExt, withoutExt] = [samples[`${runtime} with`], samples[`${runtime} without`]];
  const init = (list) => median(list.map((s) => s.initMs));
  const rss = withExt.map((s) => s.rss).filter(Boolean);
  console.log(
    `${runtime} runtime: INIT ${init(withExt).toFixed(1)} ms with the extension, ${init(withoutExt).toFixed(1)} ms without (+${(init(withExt) - init(withoutExt)).toFixed(1)} ms);` +
      ` extension RSS ${median(rss.map((r) => r.total)).toFixed(1)} MB (${median(rss.map((r) => r.anon)).toFixed(1)} MB private);` +
      ` env.shutdown() ${median(withExt.map((s) => s.shutdownMs)).toFixed(0)} ms with, ${median(withoutExt.map((s) => s.shutdownMs)).toFixed(0)} ms without`,
  );
}
