// The cloud authorizer's own work per request (the duration Lambda bills for it, minus the runtime's event hand-off):
// createAuthorizer judging payload 2.0 events in-process, for the example app's policy, with the owner secret and
// internal key already read (as on every warm request: the SSM value is cached) and API keys in memory (in the cloud
// a keyed request adds one DynamoDB GetItem, a network round trip this bench does not count). docs/cost.md reads the
// p50s from docs/benchmarks.md. Needs `npm run build`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createAuthorizer } = require('../dist/lib/handlers/authorizer.js');
const { accessPolicyOf } = require('../dist/lib/auth/policy.js');
const { SessionSigner } = require('../dist/lib/auth/session.js');
const { loadSpacefile } = require('../dist/lib/spacefile/load.js');

const ROUNDS = 5;
const PER_ROUND = 2000;
const root = new URL('..', import.meta.url).pathname;
const OWNER_SECRET = 'a-bench-owner-secret-of-enough-length';
const NOW = Date.now();

const authorize = createAuthorizer({
  policy: accessPolicyOf(loadSpacefile(`${root}examples/hello/Spacefile`)),
  readOwnerSecret: async () => OWNER_SECRET,
  readInternalKey: async () => 'a-bench-internal-key-of-enough-length-000000',
  keys: { find: async () => undefined },
  now: () => NOW,
});
const ownerCookie = new SessionSigner(OWNER_SECRET, true).issueCookie(NOW).split(';')[0];

function event(rawPath, routeKey, cookies) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/$default/GET/x',
    routeKey,
    rawPath,
    rawQueryString: '',
    cookies,
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'bench', accept: 'text/html' },
    requestContext: { http: { method: 'GET', path: rawPath, sourceIp: '192.0.2.1' } },
  };
}

const cases = [
  ['owner session on a private route', event('/notes', 'ANY /{proxy+}', [ownerCookie]), true],
  ['anonymous request for a public route', event('/public/hello.txt', 'ANY /{proxy+}', undefined), true],
  ['anonymous request for a private route (denied)', event('/notes', 'ANY /{proxy+}', undefined), false],
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const samples = new Map(cases.map(([name]) => [name, []]));
for (const [, e, expected] of cases)
  for (let i = 0; i < 500; i++) if ((await authorize(e)).isAuthorized !== expected) throw new Error('wrong decision');
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, e] of cases) {
    const times = samples.get(name);
    for (let i = 0; i < PER_ROUND; i++) {
      const started = performance.now();
      await authorize(e);
      times.push(performance.now() - started);
    }
  }
}
console.log(`| authorizer decision (${ROUNDS} x ${PER_ROUND} interleaved, in-process) | p50 | p99 |`);
console.log('|---|---|---|');
for (const [name, times] of samples) {
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${percentile(times, 50).toFixed(3)} ms | ${percentile(times, 99).toFixed(3)} ms |`);
}
