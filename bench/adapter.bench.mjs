// Adapter benchmark: one tiny Node app (`GET /` -> "ok"), measured side by side in one run:
//   direct       a kept-alive loopback request straight to the app
//   node         through the Node adapter, driven by the local emulator's RuntimeApi (event handed to its pending
//                `next`, result read from its `/response`)
//   python       the same through the Python adapter
//   serverless-http  an in-process handler wrapped by serverless-http (no app server, no hop), for comparison
// plus the time from the app's listen to the adapter's first `next`, the adapter's RSS (and an idle `node -e`'s, for
// comparison) and the layer zip size. With BASELINE=<git ref>, both adapters of that ref's layer run too, interleaved
// with this tree's (see layers.mjs).
// Run: npm run build && node bench/run.js adapter   (builds the layer into a temporary directory itself)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayers } from './layers.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ROUNDS = 4;
const PER_ROUND = 500;
const WARMUP = 200;
const COLD_STARTS = 7;

const work = mkdtempSync(join(tmpdir(), 'spaceport-adapter-bench-'));
const layers = buildLayers(work);
const layer = layers[0].dir;
/** Each adapter to measure: its name in the tables, runtime and layer. */
const adapterRuns = layers.flatMap(({ label, dir }, i) =>
  ['node', 'python'].map((runtime) => ({ name: i === 0 ? runtime : `${runtime} ${label}`, runtime, layer: dir })),
);
const app = join(work, 'app');
execFileSync('mkdir', ['-p', app]);
writeFileSync(
  join(app, 'server.js'),
  `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('ok'); })
     .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('LISTEN ' + (performance.timeOrigin + performance.now())));`,
);

const now = () => performance.timeOrigin + performance.now();
const quantile = (samples, q) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (samples) => quantile(samples, 0.5);
const freePort = () =>
  new Promise((resolve) => {
    const server = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const { RuntimeApi } = require(join(repo, 'dist/lib/local/emulator/runtime-api-server.js'));

/** The emulator's Runtime API; each event is timed from its handover to the adapter's pending `next` to its result. */
async function runtimeApi() {
  const api = new RuntimeApi({ functionName: 'bench' });
  const address = await api.listen();
  let firstNextAt;
  void api.initDone().then(() => (firstNextAt = now()));
  let id = 0;
  return {
    address,
    firstNextAt: () => firstNextAt,
    async invoke(event) {
      const invocation = {
        requestId: String(++id),
        payload: Buffer.from(event),
        deadlineMs: Date.now() + 20000,
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
        traceId: 'Root=1-00000000-000000000000000000000000',
      };
      await api.whenRuntimeWaiting();
      const sentAt = now();
      const reply = await api.invoke(invocation);
      return { ms: now() - sentAt, body: reply.payload.toString() };
    },
    close: () => api.close(),
  };
}

const EVENT = JSON.stringify({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: { host: 'bench.example.com', accept: '*/*' },
  requestContext: {
    domainName: 'bench.example.com',
    http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench' },
    requestId: 'r',
    routeKey: '$default',
    stage: '$default',
    timeEpoch: 0,
  },
  isBase64Encoded: false,
});

/** Starts the layer's bootstrap like Lambda does; resolves once the adapter asks for its first event. */
async function startAdapter({ runtime, layer }) {
  const api = await runtimeApi();
  const port = await freePort();
  let listenAt;
  const started = now();
  const child = spawn(join(layer, 'spaceport/bootstrap'), [], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_RUNTIME_API: api.address,
      LAMBDA_TASK_ROOT: app,
      PORT: String(port),
      AWS_EXECUTION_ENV: runtime === 'node' ? 'AWS_Lambda_nodejs22.x' : 'AWS_Lambda_python3.12',
      SPACEPORT_RUN: 'node server.js',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk) => {
    const match = /LISTEN ([\d.]+)/.exec(String(chunk));
    if (match) listenAt = Number(match[1]);
  });
  // The app's LISTEN line reaches us through the adapter, possibly just after its first `next`.
  while (api.firstNextAt() === undefined || listenAt === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
  return {
    port,
    api,
    pid: child.pid,
    coldMs: api.firstNextAt() - started,
    listenToNextMs: api.firstNextAt() - listenAt,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      await api.close();
    },
  };
}

/** Resident memory in MB: all of it, and the private (anonymous) part; file-backed pages such as the node binary are shared with the app's own interpreter. */
const rssMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]);
  return { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const direct = (port) =>
  new Promise((resolve, reject) => {
    const start = now();
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(now() - start));
      })
      .on('error', reject);
  });

const serverless = require('serverless-http')((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
});
const inProcess = async () => {
  const start = now();
  await serverless(JSON.parse(EVENT), {});
  return now() - start;
};

// Cold starts: spawn to first `next`, and app listen to first `next`.
const cold = Object.fromEntries(adapterRuns.map(({ name }) => [name, []]));
for (let i = 0; i < COLD_STARTS; i++) {
  for (const run of adapterRuns) {
    const adapter = await startAdapter(run);
    cold[run.name].push(adapter);
    await adapter.stop();
  }
}

const adapters = {};
for (const run of adapterRuns) adapters[run.name] = await startAdapter(run);
const measure = { direct: () => direct(adapters.node.port) };
for (const { name } of adapterRuns) measure[name] = async () => (await adapters[name].api.invoke(EVENT)).ms;
measure['serverless-http'] = inProcess;
const samples = Object.fromEntries(Object.keys(measure).map((name) => [name, []]));
for (const name of Object.keys(measure)) for (let i = 0; i < WARMUP; i++) await measure[name]();
for (const { name } of adapterRuns) {
  const { body } = await adapters[name].api.invoke(EVENT);
  if (JSON.parse(body).body !== 'ok') throw new Error(`${name} adapter answered ${body}`);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(measure)) for (let i = 0; i < PER_ROUND; i++) samples[name].push(await measure[name]());
}
const rss = Object.fromEntries(adapterRuns.map(({ name }) => [name, rssMb(adapters[name].pid)]));
// What the Node 20 binary itself holds idle, for comparison with the Node adapter's RSS in the same run.
const idleNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 500));
rss['node -e (idle)'] = rssMb(idleNode.pid);
idleNode.kill();
for (const adapter of Object.values(adapters)) await adapter.stop();

execFileSync('zip', ['-q', '-r', '-X', join(work, 'layer.zip'), '.'], { cwd: layer });
const zipKb = statSync(join(work, 'layer.zip')).size / 1024;
rmSync(work, { recursive: true, force: true });

const fmt = (ms) => `${ms.toFixed(3)} ms`;
const p50Direct = median(samples.direct);
console.log(`warm latency over ${ROUNDS * PER_ROUND} sequential requests each (interleaved rounds), same app:`);
const width = Math.max(16, ...Object.keys(samples).map((name) => name.length + 1));
console.log(`${'path'.padEnd(width)} p50        p99        p50 added over direct`);
for (const name of Object.keys(samples)) {
  const p50 = median(samples[name]);
  const added = name === 'direct' ? '' : name === 'serverless-http' ? '(in-process, no hop)' : fmt(p50 - p50Direct);
  console.log(`${name.padEnd(width)} ${fmt(p50).padEnd(10)} ${fmt(quantile(samples[name], 0.99)).padEnd(10)} ${added}`);
}
for (const { name } of adapterRuns) {
  console.log(
    `${name} adapter: app listen -> first next median ${fmt(median(cold[name].map((c) => c.listenToNextMs)))}` +
      ` (max ${fmt(Math.max(...cold[name].map((c) => c.listenToNextMs)))}), spawn -> first next median ${fmt(median(cold[name].map((c) => c.coldMs)))}` +
      ` over ${COLD_STARTS} starts; RSS after the warm run ${rss[name].total.toFixed(1)} MB (${rss[name].anon.toFixed(1)} MB private)`,
  );
}
console.log(`node -e idle, same run: RSS ${rss['node -e (idle)'].total.toFixed(1)} MB (${rss['node -e (idle)'].anon.toFixed(1)} MB private)`);
console.log(`layer zip (zip -r -X of the built layer): ${zipKb.toFixed(1)} KB`);
