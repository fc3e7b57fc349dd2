/**
 * The app's `node` gets the V8 heap Lambda's Node runtimes give a Node function of the same memory, under both
 * adapters, through the emulator (which, like Lambda, sets no NODE_OPTIONS): the flags come first in the app's
 * NODE_OPTIONS, the function's own NODE_OPTIONS after them (so they win), and the adapter's own process is untouched.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer, type AdapterRuntime } from './helpers/adapter-process';
import { httpGetEvent, startEmulatedAdapter, type EmulatedAdapter } from './helpers/emulated-adapter';

/** Answers with its NODE_OPTIONS, its V8 heap limit and the NODE_OPTIONS of the adapter that started it. */
const HEAP_APP = `
const fs = require('node:fs');
const v8 = require('node:v8');
function parentOf(pid) {
  const stat = fs.readFileSync('/proc/' + pid + '/stat', 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
function adapterNodeOptions() {
  for (let pid = process.ppid; pid > 1; pid = parentOf(pid)) {
    const cmdline = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1');
    if (!/adapter\\.js|spaceport_adapter/.test(cmdline)) continue;
    const entry = fs.readFileSync('/proc/' + pid + '/environ', 'latin1').split('\\0').find((e) => e.startsWith('NODE_OPTIONS='));
    return entry === undefined ? null : entry.slice('NODE_OPTIONS='.length);
  }
  return 'adapter not found';
}
require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({
    nodeOptions: process.env.NODE_OPTIONS ?? null,
    heapLimitMb: v8.getHeapStatistics().heap_size_limit / 2 ** 20,
    adapterNodeOptions: adapterNodeOptions(),
  }));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const GET = httpGetEvent();
const LAMBDA_512_MB_FLAGS = '--max-old-space-size=461 --max-semi-space-size=25';

interface AppView {
  nodeOptions: string | null;
  heapLimitMb: number;
  adapterNodeOptions: string | null;
}

let layer: ReturnType<typeof buildLayer>;
let appDir: string;
const running: EmulatedAdapter[] = [];

beforeAll(() => {
  layer = buildLayer();
  appDir = mkdtempSync(join(tmpdir(), 'spaceport-heap-app-'));
  writeFileSync(join(appDir, 'app.js'), HEAP_APP);
});
afterAll(async () => {
  for (const adapter of running) await adapter.shutdown();
  layer?.remove();
  rmSync(appDir, { recursive: true, force: true });
});

async function appView(runtime: AdapterRuntime, env: Record<string, string>): Promise<AppView> {
  const adapter = await startEmulatedAdapter({ layerDir: layer.dir, runtime, taskRoot: appDir, env: { SPACEPORT_RUN: 'node app.js', ...env } });
  running.push(adapter);
  const outcome = await adapter.invoke(GET);
  expect(outcome, adapter.lines.join('\n')).toMatchObject({ kind: 'success', result: { statusCode: 200 } });
  return JSON.parse(outcome.kind === 'success' ? (outcome.result as { body: string }).body : 'null');
}

describe.each(['node', 'python'] as AdapterRuntime[])('%s adapter at 512 MB', (runtime) => {
  test("the app's node gets Lambda's heap flags, and the adapter itself does not", async () => {
    const view = await appView(runtime, {});
    expect(view.nodeOptions).toBe(LAMBDA_512_MB_FLAGS);
    // V8 adds the young generation to the old space's 461 MB; the host's default would be sized from its own memory.
    expect(view.heapLimitMb).toBeGreaterThanOrEqual(461);
    expect(view.heapLimitMb).toBeLessThan(1024);
    expect(view.adapterNodeOptions).toBeNull();
  });

  test("the function's own NODE_OPTIONS comes after the flags, so the user's heap size wins", async () => {
    const view = await appView(runtime, { NODE_OPTIONS: '--max-old-space-size=300' });
    expect(view.nodeOptions).toBe(`${LAMBDA_512_MB_FLAGS} --max-old-space-size=300`);
    expect(view.heapLimitMb).toBeLessThan(461);
    expect(view.adapterNodeOptions).toBe('--max-old-space-size=300');
  });
});
