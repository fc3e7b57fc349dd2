// `npm run mutate [-- [--full] [--changed] [module...]]`: StrykerJS (python_mutate.py for a Python module) over each
// module of modules.mjs in turn, one at a time (the machine is shared), incrementally: only mutants in sources or
// tests changed since the committed incremental file are run again. Prints each module's score against its break
// threshold; exits 1 if any is below.
//   --full     run every mutant again (Stryker's --force), and rewrite the incremental files;
//   --changed  (CI) run the mutation only for modules whose sources or tests differ from their incremental file; the
//              others are judged from it as committed, which is what an incremental run would conclude anyway.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODULES, moduleNamed } from './modules.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const args = process.argv.slice(2);
const full = args.includes('--full');
const changedOnly = args.includes('--changed');
const names = args.filter((arg) => !arg.startsWith('--'));
const modules = names.length > 0 ? names.map(moduleNamed) : MODULES.filter((module) => module.enabled !== false);

/** Killed and timed-out mutants over all that a test could have killed (Stryker's mutation score). */
function scoreOf(report) {
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const undetected = (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { score: (100 * detected) / Math.max(detected + undetected, 1), detected, undetected, counts };
}

/**
 * Forgets the survivors among static mutants (module-level constants) so Stryker tests them again: no single test
 * covers a constant, so an incremental run would reuse their result even after a new test began to kill them.
 */
function forgetStaticSurvivors(incrementalFile, report) {
  let forgotten = 0;
  for (const file of Object.values(report.files)) {
    const kept = file.mutants.filter((mutant) => !(mutant.static && (mutant.status === 'Survived' || mutant.status === 'NoCoverage')));
    forgotten += file.mutants.length - kept.length;
    file.mutants = kept;
  }
  if (forgotten > 0) writeFileSync(incrementalFile, JSON.stringify(report));
}

/** Whether every source and test file the incremental report recorded still reads the same, and no test was added. */
function isUnchanged(module, report) {
  const recorded = [...Object.entries(report.files), ...Object.entries(report.testFiles ?? {})];
  const testsRecorded = module.tests.every((test) => report.testFiles?.[test] !== undefined);
  return testsRecorded && recorded.every(([path, file]) => existsSync(join(ROOT, path)) && readFileSync(join(ROOT, path), 'utf8') === file.source);
}

/**
 * For a module whose tests reach the local data service over TLS: a fresh local CA, trusted the way
 * test/global-setup.ts trusts it for vitest (Node reads NODE_EXTRA_CA_CERTS only when a process starts, so it must
 * be in Stryker's environment, which its test runners inherit). Uses the build, as the global setup does.
 */
async function localCa() {
  const built = join(ROOT, 'dist/lib/local/data/local-tls.js');
  if (!existsSync(built)) throw new Error(`mutate: ${built} is missing: run \`npm run build\` first`);
  const { ensureLocalTls } = await import(pathToFileURL(built).href);
  const stateDir = mkdtempSync(join(tmpdir(), 'spaceport-mutate-tls-'));
  const env = { NODE_EXTRA_CA_CERTS: ensureLocalTls(stateDir).caFile, SPACEPORT_TEST_STATE_DIR: stateDir };
  return { env, remove: () => rmSync(stateDir, { recursive: true, force: true }) };
}

function runStryker(module, ca) {
  const stryker = join(ROOT, 'tools/mutate/node_modules/.bin/stryker');
  return spawnSync(stryker, ['run', 'tools/mutate/stryker.config.mjs', ...(full ? ['--force'] : [])], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...ca?.env, SPACEPORT_MUTATE_MODULE: module.name },
  });
}

/** A Python module: tools/mutate/python_mutate.py writes the same report and incremental file as Stryker would. */
function runPython(module) {
  const args = [module.name, '--mutate', ...module.mutate, '--tests', ...module.tests, ...(full ? ['--full'] : [])];
  return spawnSync('/usr/bin/python3', ['tools/mutate/python_mutate.py', ...args], { cwd: ROOT, stdio: 'inherit' });
}

const rows = [];
let failed = false;
for (const module of modules) {
  const incrementalFile = join(ROOT, 'tools/mutate/incremental', `${module.name}.json`);
  const committed = existsSync(incrementalFile) ? JSON.parse(readFileSync(incrementalFile, 'utf8')) : undefined;
  let report = committed;
  if (!(changedOnly && committed && isUnchanged(module, committed))) {
    if (committed && !full) forgetStaticSurvivors(incrementalFile, committed);
    const ca = module.localCa ? await localCa() : undefined;
    const run = module.kind === 'python' ? runPython(module) : runStryker(module, ca);
    ca?.remove();
    const reportFile = join(ROOT, 'reports/mutation', `${module.name}.json`);
    if (!existsSync(reportFile) || (run.status !== 0 && run.status !== 1)) {
      console.error(`mutate: the mutation run did not finish on '${module.name}' (exit ${run.status ?? run.signal})`);
      failed = true;
      continue;
    }
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  }
  const { score, detected, undetected } = scoreOf(report);
  const below = score < module.break;
  failed ||= below;
  rows.push(`| ${module.name} | ${score.toFixed(2)} | ${detected} | ${undetected} | ${module.break} |${below ? ' BELOW' : ''}`);
}
console.log(['', '| module | score % | killed | survived | break % |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
process.exit(failed ? 1 : 0);
