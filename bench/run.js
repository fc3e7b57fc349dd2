#!/usr/bin/env node
// Runs every bench/*.bench.mjs one after another (benchmarks share two cores; never in parallel).
// They import the built code: run `npm run build` first.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

// `node bench/run.js adapter extension` runs the benches whose names contain any of the words; none: all of them.
const only = process.argv.slice(2);
const benches = readdirSync(__dirname)
  .filter((name) => name.endsWith('.bench.mjs') && (only.length === 0 || only.some((word) => name.includes(word))))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n== ${name}`);
  const { status } = spawnSync(process.execPath, [join(__dirname, name)], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
