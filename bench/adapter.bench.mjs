// Adapter benchmark: one tiny Node app (`GET /` -> "ok"), measured side by side in one run:
//   direct       a kept-alive loopback request straight to the app
//   node         through the Node adapter, driven by the local emulator's RuntimeApi (event handed to its pending
//                `next`, result read from its `/response`)
//   python       the same through the Python adapter
//   serverless-http  an in-process handler wrapped by serverless-http (no app server, no hop), for comparison
// plus the time from the app's listen to the adapter's first `next`, the adapter's private memory after serving
// MEMORY_REQUESTS requests (median and min over the cold starts), two references for the Node adapter's (an idle
// `node -e`, and the floor: a `node` with the adapter's flags that has loaded net and child_process and cycled its
// young generation once, as any process that serves requests has) and the layer zip size. With BASELINE=<git ref>, both adapters of that ref's layer run too, interleaved
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
/** Requests each cold-started adapter serves before its memory is read: enough to cycle V8's young generation. */
const MEMORY_REQUESTS = 500;

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

/**
 * Starts the layer's bootstrap like Lambda does; resolves once the adapter asks for its first event. `staticSite`:
 * the Node adapter serves the app's directory itself (a static micro), no app process.
 */
async function startAdapter({ runtime, layer }, staticSite = false) {
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
      ...(staticSite ? { SPACEPORT_STATIC_DIR: '.' } : { SPACEPORT_RUN: 'node server.js' }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk) => {
    const match = /LISTEN ([\d.]+)/.exec(String(chunk));
    if (match) listenAt = Number(match[1]);
  });
  // The app's LISTEN line reaches us through the adapter, possibly just after its first `next`.
  while (api.firstNextAt() === undefined || (listenAt === undefined && !staticSite)) await new Promise((resolve) => setTimeout(resolve, 1));
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

/** The memory of a freshly started adapter once it has served MEMORY_REQUESTS requests; stops it. */
async function memoryAfterRequests(adapter) {
  for (let j = 0; j < MEMORY_REQUESTS; j++) await adapter.api.invoke(EVENT);
  const memory = rssMb(adapter.pid);
  await adapter.stop();
  return memory;
}

// Cold starts: spawn to first `next`, app listen to first `next`, and memory after MEMORY_REQUESTS requests.
const cold = Object.fromEntries(adapterRuns.map(({ name }) => [name, []]));
const staticMemory = {};
for (let i = 0; i < COLD_STARTS; i++) {
  for (const run of adapterRuns) {
    const adapter = await startAdapter(run);
    cold[run.name].push({ ...adapter, memory: await memoryAfterRequests(adapter) });
  }
  // The Node adapter serving the same directory as a static site (GET / answers 404: a lookup, no file read).
  for (const run of adapterRuns.filter(({ runtime }) => runtime === 'node')) {
    (staticMemory[run.name] ??= []).push(await memoryAfterRequests(await startAdapter(run, true)));
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
for (const adapter of Object.values(adapters)) await adapter.stop();
// References for the Node adapter's memory, same run: what `node` holds doing nothing, and the floor under any Node
// adapter, `node` with the bootstrap's flags holding the modules a socket client and a child process need, after
// short-lived garbage has cycled its young generation (V8 then keeps both 1 MB semi-spaces, touched, for good).
const adapterFlags = /exec node (.*) "\$here\/adapter\.js"/.exec(readFileSync(join(layer, 'spaceport/bootstrap'), 'utf8'))[1].split(' ');
const references = {
  'node -e (idle)': { flags: [], code: '' },
  'floor (node, same flags, net + child_process, young generation cycled)': {
    flags: adapterFlags,
    code: "require('node:net'); require('node:child_process'); for (let i = 0; i < 40; i++) new Array(1e4).fill(0);",
  },
};
for (const [name, { flags, code }] of Object.entries(references)) {
  // It says when its work is done (a loaded machine may take longer than any fixed wait to start it), with a bare
  // write: process.stdout would load streams the idle process otherwise never has.
  const idle = spawn(process.execPath, [...flags, '-e', `${code} require('node:fs').writeSync(1, 'idle'); setInterval(() => {}, 1 << 30);`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => idle.stdout.once('data', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  rss[name] = rssMb(idle.pid);
  idle.kill();
  await new Promise((resolve) => idle.on('exit', resolve));
}

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
const mb = (value) => `${value.toFixed(2)} MB`;
for (const { name } of adapterRuns) {
  const privateMb = cold[name].map((c) => c.memory.anon);
  console.log(
    `${name} adapter: app listen -> first next median ${fmt(median(cold[name].map((c) => c.listenToNextMs)))}` +
      ` (max ${fmt(Math.max(...cold[name].map((c) => c.listenToNextMs)))}), spawn -> first next median ${fmt(median(cold[name].map((c) => c.coldMs)))}` +
      ` over ${COLD_STARTS} starts; private memory after ${MEMORY_REQUESTS} requests median ${mb(median(privateMb))} (min ${mb(Math.min(...privateMb))},` +
      ` RSS ${mb(median(cold[name].map((c) => c.memory.total)))}); after the warm run ${mb(rss[name].anon)} private (RSS ${mb(rss[name].total)})`,
  );
}
for (const [name, memory] of Object.entries(staticMemory)) {
  const privateMb = memory.map((m) => m.anon);
  console.log(
    `${name} adapter, static site: private memory after ${MEMORY_REQUESTS} requests median ${mb(median(privateMb))} (min ${mb(Math.min(...privateMb))})`,
  );
}
for (const name of Object.keys(references)) console.log(`${name}, same run: ${mb(rss[name].anon)} private (RSS ${mb(rss[name].total)})`);
console.log(`layer zip (zip -r -X of the built layer): ${zipKb.toFixed(1)} KB`);
