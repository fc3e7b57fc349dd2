// StrykerJS over one module of modules.mjs, named by SPACEPORT_MUTATE_MODULE (run.mjs sets it; `npm run mutate`).
import { moduleNamed } from './modules.mjs';

const module = moduleNamed(process.env.SPACEPORT_MUTATE_MODULE);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: module.mutate,
  testRunner: 'vitest',
  vitest: { configFile: 'tools/mutate/vitest.config.mts', related: false },
  // Mutants that do not type-check are compile errors, not survivors a test should have killed.
  checkers: ['typescript'],
  tsconfigFile: 'tools/mutate/tsconfig.json',
  coverageAnalysis: 'perTest',
  // A rerun only mutates what changed since the committed result (the sources and tests of the module).
  incremental: true,
  incrementalFile: `tools/mutate/incremental/${module.name}.json`,
  // high and low only colour the report; break is what fails the run.
  thresholds: { high: 100, low: 90, break: module.break },
  // The machine is shared; one test process and one checker keep a run from starving the others.
  concurrency: 1,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${module.name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox needs the sources, the tests and the built layer (a test runs the Python adapter from it), not the
  // build, reports or other tools' installs.
  ignorePatterns: ['/dist', '/cdk.out', '/reports', '/tools/lint', '/tools/mutate/node_modules', '/bench', '/examples', '.spaceport'],
};
