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
    break: 0,
  },
  {
    name: 'routing',
    mutate: ['lib/routing/*.ts'],
    tests: ['test/routing/routes.test.ts', 'test/auth/rules.test.ts'],
    break: 0,
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
    break: 0,
  },
  {
    name: 'interval',
    mutate: ['lib/spacefile/interval.ts'],
    tests: ['test/spacefile/interval.test.ts', 'test/spacefile/interval.property.test.ts'],
    break: 0,
  },
  {
    name: 'spacefile-rules',
    mutate: ['lib/spacefile/{app,micro,actions,engines,presets}.ts'],
    tests: ['test/spacefile/rules.test.ts', 'test/spacefile/load.test.ts'],
    break: 0,
  },
  {
    name: 'adapter-events',
    mutate: ['runtime-layer/node/events.ts', 'runtime-layer/node/results.ts'],
    tests: ['test/adapter/events.test.ts', 'test/adapter/results.test.ts'],
    break: 0,
  },
  {
    name: 'packaging-selection',
    mutate: ['lib/packaging/file-selection.ts'],
    tests: ['test/packaging/file-selection.test.ts'],
    break: 0,
  },
  {
    // Deta Base and Drive semantics: switch on (enabled: true) once lib/data lands, with its tests listed here.
    name: 'data',
    enabled: false,
    mutate: ['lib/data/**/*.ts'],
    tests: ['test/data/**/*.test.ts'],
    break: 0,
  },
];

/** The module named `name`, or an error listing the names there are. */
export function moduleNamed(name) {
  const found = MODULES.find((module) => module.name === name);
  if (!found) throw new Error(`no mutation module '${name}': choose one of ${MODULES.map((module) => module.name).join(', ')}`);
  return found;
}
