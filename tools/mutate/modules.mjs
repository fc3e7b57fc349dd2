// The modules under mutation testing: the code whose mistakes are security or data bugs. Each is mutated on its own,
// against the unit tests that exercise it in-process (a mutant lives only in the test process, so tests of a spawned
// CLI, adapter or built layer cannot kill it), with its own committed incremental file and its own break threshold:
// the score it has reached, so CI refuses a change that lets more mutants survive. Aim: 90%+.

/**
 * A module of the Deta Base and Drive semantics, one per concept. Their tests reach the local data service in the
 * test process over TLS, so run.mjs makes a CA and has Stryker's processes trust it (`localCa`).
 */
function dataModule(concept, sources, { ownTests = [], ...thresholds }) {
  return {
    name: `data-${concept}`,
    mutate: [sources],
    // The shared SDK suites, plus tests of this concept alone: a change to those reruns only this module's mutants.
    tests: ['test/data/base-sdk.test.ts', 'test/data/drive-sdk.test.ts', 'test/data/bad-input.test.ts', 'test/data/key-order.test.ts', ...ownTests],
    localCa: true,
    ...thresholds,
  };
}

export const MODULES = [
  {
    name: 'auth',
    mutate: ['lib/auth/*.ts'],
    tests: [
      'test/auth/rules.test.ts',
      'test/auth/signin.test.ts',
      'test/auth/session-cookie.test.ts',
      'test/auth/policy.test.ts',
      'test/auth/api-keys.test.ts',
      'test/auth/authorizer.test.ts',
    ],
    break: 100,
  },
  {
    name: 'routing',
    mutate: ['lib/routing/*.ts'],
    tests: ['test/routing/routes.test.ts', 'test/auth/rules.test.ts'],
    break: 100,
  },
  {
    name: 'paths',
    mutate: ['lib/core/paths.ts'],
    tests: [
      'test/core/paths.test.ts',
      'test/routing/routes.test.ts',
      'test/auth/rules.test.ts',
      'test/adapter/events.test.ts',
      'test/dev/router.test.ts',
    ],
    break: 100,
  },
  {
    name: 'interval',
    mutate: ['lib/spacefile/interval.ts'],
    tests: ['test/spacefile/interval.test.ts', 'test/spacefile/interval.property.test.ts'],
    break: 100,
  },
  {
    name: 'spacefile-rules',
    mutate: ['lib/spacefile/{app,micro,actions,engines,presets}.ts'],
    tests: ['test/spacefile/rules.test.ts', 'test/spacefile/load.test.ts', 'test/spacefile/details.test.ts'],
    break: 100,
  },
  {
    name: 'adapter-events',
    mutate: ['runtime-layer/node/events.ts', 'runtime-layer/node/results.ts'],
    tests: ['test/adapter/events.test.ts', 'test/adapter/results.test.ts'],
    break: 100,
  },
  // The Python adapter's translation. No Python mutation tool installs here (PyPI only), so tools/mutate/python_mutate.py,
  // standard library alone, mutates it against its unittest files (run.mjs starts it instead of Stryker).
  {
    name: 'python-adapter-events',
    kind: 'python',
    mutate: ['runtime-layer/python/spaceport_adapter/events.py', 'runtime-layer/python/spaceport_adapter/results.py'],
    tests: ['test/adapter/python/test_events.py', 'test/adapter/python/test_results.py', 'test/adapter/python/test_conformance.py'],
    break: 100,
  },
  {
    name: 'packaging-selection',
    mutate: ['lib/packaging/file-selection.ts'],
    tests: ['test/packaging/file-selection.test.ts'],
    break: 100,
  },
  // The query language: conditions, paths into an item, JSON equality.
  dataModule('query', 'lib/data/{query,paths,json}.ts', { break: 100 }),
  // What an item may be (keys, sizes, depth, expiry), updates, key order, the limits. Its own tests are examples at
  // the edges (key size, blank keys, the surrogate boundary) that the SDK suites and key order's random strings may miss.
  dataModule('items', 'lib/data/{items,update,base-store,limits}.ts', { break: 100, ownTests: ['test/data/item-rules.test.ts'] }),
  // The Base endpoints: put, insert, get, delete, update, query paging and expiry.
  dataModule('base', 'lib/data/base.ts', { break: 100, ownTests: ['test/data/base-endpoints.test.ts'] }),
  // The Drive endpoints: uploads, downloads, listing, deletion.
  dataModule('drive', 'lib/data/{drive,part-number}.ts', { break: 100, ownTests: ['test/data/drive-endpoints.test.ts'] }),
  // The HTTP API: routing on the raw path, the project key, bounded bodies. Its own tests: routing over HTTPS (also run
  // on the cloud path) and the project key without a service (a failing fixture skips a file's tests, which Stryker
  // does not count as a kill).
  dataModule('service', 'lib/data/service.ts', { break: 100, ownTests: ['test/data/service-routing.test.ts', 'test/data/project-key.test.ts'] }),
];

/** The module named `name`, or an error listing the names there are. */
export function moduleNamed(name) {
  if (name === undefined) throw new Error('SPACEPORT_MUTATE_MODULE is not set: run `npm run mutate -- <module>`, which sets it');
  const found = MODULES.find((module) => module.name === name);
  if (!found) throw new Error(`no mutation module '${name}': choose one of ${MODULES.map((module) => module.name).join(', ')}`);
  return found;
}
