// Cost of the layer's shutdown extension (extensions/spaceport-shutdown), through the local emulator with the real
// layer and a copy of it without extensions/, interleaved: INIT duration (Lambda starts the runtime only once the
// extension has registered, so its start adds to every cold start), the extension's resident memory while the
// environment idles, and how long env.shutdown() takes (0 ms phase without it; SIGTERM, the adapter's exit, then
// SHUTDOWN with it). Node runtime: only node on PATH; Python runtime: python3 too (as on Lambda). The app is the
// same tiny `node server.js` everywhere. INIT and private memory are given as median, min and p25 (a shared machine's
// load inflates some rounds, never deflates them). Also, without the emulator: the extension alone, from spawn to its
// register request arriving at a stand-in Extensions API (what it adds to Lambda's INIT, less the platform's own
// spawn), with the kernel's split of that time into on a CPU and waiting for one, which the load does not blur.
// With BASELINE=<git ref>, that ref's layer (its extension) runs too, interleaved (see layers.mjs).
// Run: npm run build && node bench/run.js extension
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { buildLayers } from './layers.mjs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ExecutionEnvironment } = require(join(repo, 'dist/lib/local/emulator'));
const ROUNDS = 15;

const work = mkdtempSync(join(tmpdir(), 'spaceport-extension-bench-'));
const layers = buildLayers(work);
const withoutExtension = join(work, 'layer-without-extension');
cpSync(layers[0].dir, withoutExtension, { recursive: true });
rmSync(join(withoutExtension, 'extensions'), { recursive: true });
/** [label, layer directory]: with the extension (this tree's, then the baseline's), and without one. */
const variants = [...layers.map(({ label, dir }) => [`with (${label})`, dir]), ['without', withoutExtension]];
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

/** VmRSS and RssAnon (MB) of the running extension, found by its command line (not the sandbox's wrappers). */
function extensionRss() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => arg.endsWith('spaceport-shutdown')) || /(^|\/)(bwrap|sh)$/.test(argv[0])) continue;
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

/**
 * From spawning the layer's extension to its register request reaching a stand-in Extensions API: wall milliseconds,
 * and the kernel's account of that time (/proc/<pid>/schedstat, read when the request arrives): on a CPU, and waiting
 * for one. On a loaded machine the wait is the load's share; wall minus wait is what a free core would have taken.
 */
async function startToRegister(runtime, layerDir) {
  let registered;
  const arrived = new Promise((resolve) => (registered = resolve));
  let child;
  const api = createServer((req, res) => {
    if (req.url.endsWith('/register')) {
      const [cpuNs, waitNs] = readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ').map(Number);
      registered({ at: performance.now(), cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6 });
    }
    res.writeHead(200, { 'Lambda-Extension-Identifier': 'bench' });
    req.resume().on('end', () => req.url.endsWith('/register') && res.end('{}')); // `next` is left waiting
  });
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
  const started = performance.now();
  child = spawn(join(layerDir, 'extensions', 'spaceport-shutdown'), [], {
    env: { PATH: paths[runtime], AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.address().port}` },
    stdio: 'ignore',
  });
  const { at, cpuMs, waitMs } = await arrived;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  api.closeAllConnections();
  api.close();
  return { wallMs: at - started, cpuMs, waitMs };
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(q * values.length)];
const median = (values) => quantile(values, 0.5);
/** `median (min, p25)`: on a loaded machine the low quantiles say what the extension costs when it is not waiting for a core. */
const spread = (values, format) => `${format(median(values))} (min ${format(Math.min(...values))}, p25 ${format(quantile(values, 0.25))})`;
const alone = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const runtime of ['node', 'python']) {
    for (const [label, layerDir] of variants.slice(0, -1)) (alone[`${runtime} ${label}`] ??= []).push(await startToRegister(runtime, layerDir));
  }
}
const samples = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const runtime of ['node', 'python']) {
    for (const [label, layerDir] of variants) {
      (samples[`${runtime} ${label}`] ??= []).push(await coldStart(runtime, layerDir));
    }
  }
}
rmSync(work, { recursive: true, force: true });

console.log(`median of ${ROUNDS} interleaved cold starts per line (INIT = Lambda's Init Duration: extension, adapter, app, readiness):`);
const inits = (list) => list.map((s) => s.initMs);
// Paired by round (with and without run back to back), so the load's drift over the run mostly cancels.
const signed = (ms) => `${ms < 0 ? '' : '+'}${ms.toFixed(1)}`;
for (const runtime of ['node', 'python']) {
  const withoutExt = samples[`${runtime} without`];
  console.log(
    `${runtime} runtime: INIT ${spread(inits(withoutExt), (ms) => `${ms.toFixed(1)} ms`)} without an extension,` +
      ` env.shutdown() ${median(withoutExt.map((s) => s.shutdownMs)).toFixed(0)} ms`,
  );
  for (const [label] of variants.slice(0, -1)) {
    const withExt = samples[`${runtime} ${label}`];
    const rss = withExt.map((s) => s.rss).filter(Boolean);
    console.log(
      `  extension ${label}: INIT ${spread(inits(withExt), (ms) => `${ms.toFixed(1)} ms`)};` +
        ` added: ${signed(median(withExt.map((s, i) => s.initMs - withoutExt[i].initMs)))} ms (median of the rounds' differences),` +
        ` ${signed(Math.min(...inits(withExt)) - Math.min(...inits(withoutExt)))} ms (between the mins),` +
        ` ${signed(quantile(inits(withExt), 0.25) - quantile(inits(withoutExt), 0.25))} ms (between the p25s);` +
        ` extension RSS ${median(rss.map((r) => r.total)).toFixed(1)} MB, private ${spread(
          rss.map((r) => r.anon),
          (mb) => `${mb.toFixed(2)} MB`,
        )};` +
        ` env.shutdown() ${median(withExt.map((s) => s.shutdownMs)).toFixed(0)} ms;` +
        ` alone, spawn to register ${spread(
          alone[`${runtime} ${label}`].map((a) => a.wallMs),
          (ms) => `${ms.toFixed(1)} ms`,
        )}, of which waiting for a CPU ${median(alone[`${runtime} ${label}`].map((a) => a.waitMs)).toFixed(1)} ms` +
        ` and on a CPU ${median(alone[`${runtime} ${label}`].map((a) => a.cpuMs)).toFixed(1)} ms;` +
        ` wall minus the wait ${median(alone[`${runtime} ${label}`].map((a) => a.wallMs - a.waitMs)).toFixed(1)} ms`,
    );
  }
}
