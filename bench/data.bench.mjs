// The local Deta Base service through the official `deta` SDK over TLS, against its floor: the same HTTPS server
// and the same semantics over an in-memory Map (no journal, no fsync). put/get/fetch p50 and p99, the two paths
// interleaved in rounds in one run; fetch filters 10,000 items. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { ensureLocalTls } = require('../dist/lib/local/data/local-tls.js');

// Node reads NODE_EXTRA_CA_CERTS only at start: trust the bench's CA the way a micro does, by re-running with it.
if (!process.env.SPACEPORT_BENCH_STATE_DIR) {
  const stateDir = mkdtempSync(join(tmpdir(), 'spaceport-data-bench-'));
  const tls = ensureLocalTls(stateDir);
  const { status } = spawnSync(process.execPath, [new URL(import.meta.url).pathname], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caFile, SPACEPORT_BENCH_STATE_DIR: stateDir },
  });
  rmSync(stateDir, { recursive: true, force: true });
  process.exit(status ?? 1);
}

const { Deta } = require('deta');
const { startLocalDataService } = require('../dist/lib/local/data/data-service.js');
const { createDataHandler } = require('../dist/lib/data/service.js');
const { serveData } = require('../dist/lib/local/data/node-http.js');
const { OrderedMap } = require('../dist/lib/local/data/sorted-keys.js');

const PROJECT_KEY = 'benchprj_BenchSecretBenchSecretBenchSecret12';
const ROUNDS = 5;
const PER_ROUND = 100;
const FETCH_PER_ROUND = 10;
const ITEMS = 10_000;

/** The floor: a Map with a key-ordered index, nothing written anywhere. */
class MemoryBaseStore {
  namespaces = new Map();
  version = 0;
  records(ref) {
    const id = `${ref.projectId}/${ref.base}`;
    if (!this.namespaces.has(id)) this.namespaces.set(id, new OrderedMap());
    return this.namespaces.get(id);
  }
  set(ref, write) {
    this.records(ref).set(write.item.key, { item: write.item, expires: write.expires, version: String(++this.version) });
  }
  async get(ref, key) {
    return this.records(ref).get(key);
  }
  async putMany(ref, writes) {
    for (const write of writes) this.set(ref, write);
    return { failed: [] };
  }
  async insert(ref, write, now) {
    const existing = this.records(ref).get(write.item.key);
    if (existing && (existing.expires === undefined || existing.expires > now)) return false;
    this.set(ref, write);
    return true;
  }
  async replaceIfVersion(ref, write, version) {
    if (this.records(ref).get(write.item.key)?.version !== version) return false;
    this.set(ref, write);
    return true;
  }
  async delete(ref, key) {
    this.records(ref).delete(key);
  }
  async scan(ref, request) {
    const { values, done } = this.records(ref).scan(request.range, request.descending ?? false, request.after, request.limit);
    return { records: values, done };
  }
}

const stateDir = process.env.SPACEPORT_BENCH_STATE_DIR;
const durable = await startLocalDataService({ stateDir, projectKey: PROJECT_KEY });
const floorHandler = createDataHandler({ base: new MemoryBaseStore(), drive: undefined, projectKey: PROJECT_KEY });
const floorServer = createServer({ cert: durable.tls.cert, key: durable.tls.key }, (req, res) => void serveData(floorHandler, req, res));
await new Promise((resolve) => floorServer.listen(0, '127.0.0.1', resolve));
const floorHost = `127.0.0.1:${floorServer.address().port}`;

const deta = Deta(PROJECT_KEY);
const paths = {
  durable: deta.Base('bench', durable.host),
  'in-memory Map': deta.Base('bench', floorHost),
};

const item = (index) => ({
  key: `item-${String(index).padStart(6, '0')}`,
  n: index,
  name: `name ${index}`,
  tags: ['a', 'b'],
  nested: { even: index % 2 === 0 },
});
for (const db of Object.values(paths)) {
  for (let start = 0; start < ITEMS; start += 25) await db.putMany(Array.from({ length: 25 }, (_, offset) => item(start + offset)));
}

const operations = {
  put: (db, i) => db.put({ n: i, name: `put ${i}`, tags: ['x'] }, `put-${i % 200}`),
  get: (db, i) => db.get(item(i % ITEMS).key),
  [`fetch, filter over ${ITEMS} items`]: (db) => db.fetch({ 'n?gte': ITEMS - 10, 'nested.even': true }),
};
const samples = Object.fromEntries(Object.keys(operations).map((op) => [op, Object.fromEntries(Object.keys(paths).map((p) => [p, []]))]));

// Warm both paths (connections, JIT) before measuring.
for (const db of Object.values(paths)) for (const run of Object.values(operations)) for (let i = 0; i < 20; i++) await run(db, i);

for (let round = 0; round < ROUNDS; round++) {
  for (const [op, run] of Object.entries(operations)) {
    const count = op.startsWith('fetch') ? FETCH_PER_ROUND : PER_ROUND;
    for (const [name, db] of Object.entries(paths)) {
      for (let i = 0; i < count; i++) {
        const started = process.hrtime.bigint();
        const result = await run(db, round * count + i);
        samples[op][name].push(Number(process.hrtime.bigint() - started) / 1e6);
        if (op.startsWith('fetch') && result.count !== 5) throw new Error(`fetch found ${result.count} items, expected 5`);
      }
    }
  }
}

await durable.close();
await new Promise((resolve) => floorServer.close(resolve));

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => `${value.toFixed(2)} ms`;
console.log(
  `official deta SDK over TLS, sequential, ${ROUNDS} interleaved rounds (${PER_ROUND} put/get, ${FETCH_PER_ROUND} fetch per round and path)`,
);
for (const op of Object.keys(operations)) {
  const [d, m] = [samples[op].durable, samples[op]['in-memory Map']];
  console.log(
    `${op.padEnd(32)} durable p50 ${ms(percentile(d, 50))} p99 ${ms(percentile(d, 99))} | ` +
      `in-memory Map p50 ${ms(percentile(m, 50))} p99 ${ms(percentile(m, 99))} | p50 ratio ${(percentile(d, 50) / percentile(m, 50)).toFixed(2)}x`,
  );
}
