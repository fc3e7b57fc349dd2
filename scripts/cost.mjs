#!/usr/bin/env node
// Writes docs/cost.md from the synthesized default stack of examples/hello and docs/benchmarks.md.
// Needs `npm run build`. test/constructs/fixed-cost.test.ts regenerates it and fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { COST_REPORT_APP, costReport, exampleTemplate } = require('../dist/lib/cost/report.js');

const root = new URL('..', import.meta.url).pathname;
const report = costReport({
  template: exampleTemplate(root),
  benchmarks: readFileSync(`${root}docs/benchmarks.md`, 'utf8'),
  micro: COST_REPORT_APP.micro,
  source: COST_REPORT_APP.source,
});
writeFileSync(`${root}docs/cost.md`, report);
console.log(`wrote docs/cost.md (${report.length} characters)`);
