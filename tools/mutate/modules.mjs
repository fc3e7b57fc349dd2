// The modules under mutation testing: the code whose mistakes are security or data bugs. Each is mutated on its own,
// against the unit tests that exercise it in-process (a mutant lives only in the test process, so tests of a spawned
// CLI, adapter or built layer cannot kill it), with its own committed incremental file and its own break threshold:
// the score it has reached, so CI refuses a change that lets more mutants survive. Aim: 90%+.

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
    // Not yet baselined (its first full run did not fit the time it was set up in): switch on as `data` says.
    name: 'spacefile-rules',
    enabled: false,
    mutate: ['lib/spacefile/{app,micro,actions,engines,presets}.ts'],
    tests: ['test/spacefile/rules.test.ts', 'test/spacefile/load.test.ts'],
    break: 0,
  },
  {
    name: 'adapter-events',
    mutate: ['runtime-layer/node/events.ts', 'runtime-layer/node/results.ts'],
    tests: ['test/adapter/events.test.ts', 'test/adapter/results.test.ts'],
    break: 100,
  },
  {
    name: 'packaging-selection',
    mutate: ['lib/packaging/file-selection.ts'],
    tests: ['test/packaging/file-selection.test.ts'],
    break: 100,
  },
  {
    // Deta Base and Drive semantics (landed late: not yet baselined, so CI would mutate all of it). To switch on: run
    // `npm run mutate -- data`, commit its incremental file, set break to its score and enabled to true.
    name: 'data',
    enabled: false,
    mutate: ['lib/data/{query,update,items,paths,limits,base-store,json}.ts'],
    tests: ['test/data/base-sdk.test.ts', 'test/data/drive-sdk.test.ts', 'test/data/bad-input.test.ts', 'test/data/key-order.test.ts'],
    break: 0,
  },
];

/** The module named `name`, or an error listing the names there are. */
export function moduleNamed(name) {
  if (name === undefined) throw new Error('SPACEPORT_MUTATE_MODULE is not set: run `npm run mutate -- <module>`, which sets it');
  const found = MODULES.find((module) => module.name === name);
  if (!found) throw new Error(`no mutation module '${name}': choose one of ${MODULES.map((module) => module.name).join(', ')}`);
  return found;
}
