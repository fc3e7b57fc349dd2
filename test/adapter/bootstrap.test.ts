/** The bootstrap picks the adapter from the runtime (`AWS_EXECUTION_ENV`), else from what the micro needs. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildLayer, runAdapter, REPO_ROOT, type RunningAdapter } from './helpers/adapter-process';

let layer: ReturnType<typeof buildLayer>;
beforeAll(() => {
  layer = buildLayer();
});
afterAll(() => layer?.remove());

async function commandLineOf(env: Record<string, string>, runtime: 'node' | 'python'): Promise<string> {
  const adapter: RunningAdapter = await runAdapter({ layerDir: layer.dir, runtime, taskRoot: REPO_ROOT, env });
  try {
    expect(await adapter.askedForEvent, adapter.output()).toBe(true);
    return readFileSync(`/proc/${adapter.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } finally {
    await adapter.stop();
  }
}

const SERVER = { SPACEPORT_RUN: `node -e "require('http').createServer((q, s) => s.end()).listen(process.env.PORT)"` };

test('a Node runtime runs the Node adapter', async () => {
  expect(await commandLineOf(SERVER, 'node')).toMatch(/node .*\/spaceport\/adapter\.js$/);
});

test('a Python runtime runs the Python adapter from the layer', async () => {
  expect(await commandLineOf(SERVER, 'python')).toMatch(/python3? -S -m spaceport_adapter$/);
});

test('a static micro without a known runtime gets the Node adapter', async () => {
  expect(await commandLineOf({ SPACEPORT_STATIC_DIR: 'docs', AWS_EXECUTION_ENV: '' }, 'python')).toMatch(/adapter\.js$/);
});
