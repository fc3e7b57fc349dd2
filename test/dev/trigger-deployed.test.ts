/**
 * `spaceport trigger --function` as against a deployed app, without AWS: AWS's own SDK is pointed
 * (`AWS_ENDPOINT_URL_LAMBDA`) at the emulator's invoke endpoint in front of the real built layer running a micro.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { triggerCommand } from '../../lib/cli/trigger';
import { findFreePort } from '../../lib/local/dev/free-port';
import { adapterLayerDir } from '../../lib/layer-dir';
import { microFunctionVariables } from '../../lib/local/dev/dev-variables';
import { ExecutionEnvironment, probeSandbox, Sandbox, startInvokeServer, type InvokeServer } from '../../lib/local/emulator';
import { loadSpacefile } from '../../lib/spacefile/load';
import { capture } from './dev-helpers';

const HELLO = join(__dirname, '../../examples/hello/Spacefile');
const FAILING = join(__dirname, '../fixtures/failing-action/Spacefile');

const cleanups: (() => Promise<void>)[] = [];
let sandbox: Sandbox;

/** The invoke endpoint in front of one execution environment running `micro` of `spacefile` as its function would. */
async function serveMicro(spacefile: string, microName: string): Promise<InvokeServer> {
  const app = loadSpacefile(spacefile);
  const micro = app.micros.find((candidate) => candidate.name === microName)!;
  const presets = Object.fromEntries(micro.envPresets.map((preset) => [preset.name, preset.default ?? '']));
  const space = { projectKey: 'a0test_projectkey', internalKey: 'internal', hostname: 'localhost' };
  const environment = new ExecutionEnvironment({
    functionName: microName,
    taskRoot: micro.srcDir,
    layerDir: adapterLayerDir(),
    runtime: micro.runtime,
    environment: { ...microFunctionVariables(micro, space, presets), PORT: String(await findFreePort()) },
    sandbox,
    log: () => undefined,
  });
  const server = await startInvokeServer(environment);
  cleanups.push(
    () => environment.shutdown(),
    () => server.close(),
  );
  return server;
}

/** What a user with (fake) credentials sees running `spaceport trigger` against `endpoint`. */
async function trigger(endpoint: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  const stdout = capture(process.stdout);
  const stderr = capture(process.stderr);
  const code = await triggerCommand.run(args);
  return { code, stdout: stdout(), stderr: stderr() };
}

beforeAll(async () => {
  sandbox = new Sandbox(await probeSandbox());
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('spaceport trigger --function', () => {
  it("runs the action through Lambda's Invoke API and prints the app's answer", async () => {
    const server = await serveMicro(HELLO, 'web');
    const { code, stdout } = await trigger(server.url, ['tick', '--function', 'web']);
    expect(stdout).toMatch(/^action tick: ok \(200\) in \d+ ms\n/);
    expect(JSON.parse(stdout.split('\n')[1])).toMatchObject({ ok: true, id: 'tick', trigger: 'schedule' });
    expect(code).toBe(0);
  });

  it("exits 1 with the adapter's Spaceport.ActionFailed when the app answers 500", async () => {
    const server = await serveMicro(FAILING, 'app');
    const { code, stdout } = await trigger(server.url, ['broken', '--function', 'app']);
    expect(stdout).toMatch(
      /^action broken: FAILED in \d+ ms: Spaceport\.ActionFailed: Action "broken" failed: the app answered 500: database is down\n$/,
    );
    expect(code).toBe(1);
  });

  it('says in one line when Lambda cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await findFreePort()}`;
    const { code, stdout, stderr } = await trigger(closed, ['tick', '--function', 'web']);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^spaceport trigger: action tick: cannot invoke 'web': AWS could not be reached: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/m,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
  });

  it('refuses --port with --function, and --region without it', async () => {
    await expect(triggerCommand.run(['tick', '--function', 'web', '--port', '4200'])).rejects.toThrow(/either --port .* or --function/);
    await expect(triggerCommand.run(['tick', '--region', 'eu-west-1'])).rejects.toThrow(/--region only applies with --function/);
  });
});
