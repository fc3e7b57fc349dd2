// Synth time of a 5-micro, 25-action Space app (target < 15 s), three ways: in-process without bundling (what
// template tests pay), in-process with real packaging, and `cdk synth` from the CLI as a user runs it.
// Needs `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { App, AssetStaging, Stack } = require('aws-cdk-lib');
const { SpaceApp } = require('../dist/lib/constructs/app.js');

const RUNS = 5;
const TARGET_MS = 15_000;
const root = new URL('..', import.meta.url).pathname;

function writeFiveMicroApp() {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-bench-synth-'));
  const micros = [];
  for (let m = 0; m < 5; m++) {
    mkdirSync(join(dir, `m${m}`));
    // Distinct sources, so each micro is packaged instead of sharing one asset by hash.
    writeFileSync(join(dir, `m${m}`, 'server.js'), `require("http").createServer((q, s) => s.end("m${m}")).listen(process.env.PORT);\n`);
    const actions = Array.from(
      { length: 5 },
      (_, a) =>
        `      - id: m${m}a${a}\n        name: Action ${m}.${a}\n        trigger: schedule\n        default_interval: "${a * 10 + 5} minutes"\n`,
    ).join('');
    micros.push(
      `  - name: m${m}\n    src: ./m${m}\n    engine: nodejs16\n${m === 0 ? '    primary: true\n' : ''}    run: node server.js\n    public: true\n    actions:\n${actions}`,
    );
  }
  writeFileSync(join(dir, 'Spacefile'), `v: 0\napp_name: bench\nmicros:\n${micros.join('')}`);
  return dir;
}

function inProcess(spacefile, bundle) {
  const outdir = mkdtempSync(join(tmpdir(), 'spaceport-bench-out-'));
  AssetStaging.clearAssetHashCache(); // every run packages from scratch, as a fresh `cdk synth` does
  const started = performance.now();
  const app = new App({ outdir, context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
  new SpaceApp(stack, 'App', { spacefile });
  app.synth();
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dir = writeFiveMicroApp();
const spacefile = join(dir, 'Spacefile');

// One warm-up of each (module loading, JIT), then interleaved runs, so neither way pays the other's start.
inProcess(spacefile, false);
inProcess(spacefile, true);
const unbundledRuns = [];
const bundledRuns = [];
for (let run = 0; run < RUNS; run++) {
  unbundledRuns.push(inProcess(spacefile, false));
  bundledRuns.push(inProcess(spacefile, true));
}
const unbundled = median(unbundledRuns);
const bundled = median(bundledRuns);
const cli = median(
  Array.from({ length: RUNS }, () => {
    const started = performance.now();
    execFileSync('npx', ['cdk', 'synth', '-q', '-c', `spacefile=${spacefile}`, '-o', mkdtempSync(join(tmpdir(), 'spaceport-bench-cli-'))], {
      cwd: root,
      stdio: 'ignore',
    });
    return performance.now() - started;
  }),
);

const row = (label, ms) => console.log(`${label.padEnd(58)} ${(ms / 1000).toFixed(2)} s`);
row('5 micros, 25 actions: in-process synth, bundling skipped', unbundled);
row('5 micros, 25 actions: in-process synth, micros packaged', bundled);
row('5 micros, 25 actions: npx cdk synth (CLI, packaged)', cli);
if (cli > TARGET_MS) {
  console.error(`cdk synth took ${(cli / 1000).toFixed(1)} s, over the ${TARGET_MS / 1000} s target`);
  process.exitCode = 1;
}
