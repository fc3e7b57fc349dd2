// spaceport dev on examples/hello: cold start to the first 200, and the warm overhead of router + emulator +
// adapter over a request sent straight to the micro's own server. Needs `npm run build`.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';

const require = createRequire(import.meta.url);
const { startDevServer } = require('../dist/lib/local/dev/dev-server.js');
const { loadSpacefile } = require('../dist/lib/spacefile/load.js');

const COLD_RUNS = 5;
const WARM_REQUESTS = 1000;
const WARMUP = 100;
const spacefile = new URL('../examples/hello/Spacefile', import.meta.url).pathname;
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function latencies(port, path) {
  for (let i = 0; i < WARMUP; i++) await get(port, path);
  const samples = [];
  for (let i = 0; i < WARM_REQUESTS; i++) {
    const start = process.hrtime.bigint();
    const { status } = await get(port, path);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (status !== 200) throw new Error(`${path} answered ${status}`);
  }
  return samples.sort((a, b) => a - b);
}

const app = loadSpacefile(spacefile);
const cold = [];
const firstRequest = [];
for (let run = 0; run < COLD_RUNS; run++) {
  const started = process.hrtime.bigint();
  const server = await startDevServer({ app, port: 0, logStream: quiet, watch: false, schedule: false });
  const requested = process.hrtime.bigint();
  const { status } = await get(server.port, '/public/hello');
  const done = process.hrtime.bigint();
  if (status !== 200) throw new Error(`cold request answered ${status}`);
  cold.push(Number(done - started) / 1e6);
  firstRequest.push(Number(done - requested) / 1e6);
  await server.stop();
}

// The micro's own port, read from its log line ("web listening on <port>"): /env is private, and the
// routed path keeps the auth rules on, as a user runs it.
let log = '';
const logStream = new Writable({ write: (chunk, _encoding, done) => ((log += chunk), done()) });
const server = await startDevServer({ app, port: 0, logStream, watch: false, schedule: false, concurrency: 1 });
const routed = await latencies(server.port, '/public/hello');
const microPort = Number(/web listening on (\d+)/.exec(log)?.[1]);
if (!microPort) throw new Error(`the web micro's port is not in the log:\n${log}`);
const direct = await latencies(microPort, '/public/hello');
await server.stop();
agent.destroy();

const ms = (value) => `${value.toFixed(2)} ms`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const overhead = percentile(routed, 50) - percentile(direct, 50);
console.log(`cold start, startDevServer() to first 200 (median of ${COLD_RUNS}): ${ms(median(cold))}  (target < 1500 ms)`);
console.log(`  of which the first request (environment INIT + app start): ${ms(median(firstRequest))}`);
console.log(`warm GET /public/hello through router+emulator+adapter: p50 ${ms(percentile(routed, 50))}, p99 ${ms(percentile(routed, 99))}`);
console.log(`warm GET /public/hello straight to the micro:           p50 ${ms(percentile(direct, 50))}, p99 ${ms(percentile(direct, 99))}`);
console.log(`warm overhead p50: ${ms(overhead)}  (target < 2 ms)`);
