/**
 * Lambda's SHUTDOWN phase in the emulator: 0 ms (SIGKILL, no SIGTERM) without a registered extension; with an
 * external one, SIGTERM to the runtime (SIGKILL if it ignores it), then SHUTDOWN to the extension. External
 * extensions start and register before the runtime; one that exits before registering fails INIT.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionEnvironment } from '../../lib/local/emulator';

const FIXTURES = path.join(__dirname, 'fixtures');
let scratch: string;
let markFile: string;
const environments: ExecutionEnvironment[] = [];

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-shutdown-'));
  markFile = path.join(scratch, 'marks');
  fs.writeFileSync(markFile, '');
});
afterEach(async () => {
  await Promise.all(environments.splice(0).map((env) => env.shutdown()));
  fs.rmSync(scratch, { recursive: true, force: true });
});

function environment(
  layer: string | undefined,
  extra: Record<string, string> = {},
  timeoutMs?: number,
): { env: ExecutionEnvironment; lines: string[] } {
  const lines: string[] = [];
  const env = new ExecutionEnvironment({
    functionName: 'shutdown-test',
    taskRoot: path.join(FIXTURES, 'sigterm-runtime'),
    layerDir: layer && path.join(FIXTURES, layer),
    runtime: 'provided.al2023',
    handler: 'index.handler',
    environment: { MARK_FILE: markFile, ...extra },
    log: (line) => lines.push(line),
    timeoutMs,
  });
  environments.push(env);
  return { env, lines };
}

const marks = (): string[] => fs.readFileSync(markFile, 'utf8').split('\n').filter(Boolean);

describe('ExecutionEnvironment shutdown', () => {
  it('without a registered extension kills the runtime with no SIGTERM, as Lambda (0 ms shutdown phase)', async () => {
    const { env } = environment(undefined);
    expect((await env.invoke('"up"')).outcome).toBe('success');
    await env.shutdown();
    expect(marks()).toEqual([]);
  });

  it('with an external extension sends SIGTERM to the runtime, then SHUTDOWN to the extension', async () => {
    const { env } = environment('recording-extension-layer');
    expect((await env.invoke('"up"')).outcome).toBe('success');
    await env.shutdown();
    expect(marks()).toEqual(['runtime SIGTERM', 'extension SHUTDOWN spindown']);
  });

  it('SIGKILLs a runtime that ignores SIGTERM, and still sends SHUTDOWN to the extension', async () => {
    const { env } = environment('recording-extension-layer', { IGNORE_SIGTERM: '1' });
    expect((await env.invoke('"up"')).outcome).toBe('success');
    await env.shutdown();
    expect(marks()).toEqual(['runtime SIGTERM', 'extension SHUTDOWN spindown']);
  });

  it('fails INIT with Extension.Crash when an extension exits before registering, without starting the runtime', async () => {
    const { env, lines } = environment('crashing-extension-layer');
    const result = await env.invoke('"up"');
    expect(result.outcome).toBe('init-error');
    expect(result.functionErrorType).toBe('Extension.Crash');
    expect(JSON.parse(result.payload.toString()).errorMessage).toMatch(/Error: extension broken exited before registering \(exit status 3\)$/);
    expect(lines).toContain('broken: missing configuration');
    await env.shutdown();
    expect(marks()).toEqual([]);
  });
});

describe('extensions as Lambda runs them', () => {
  it('runs the shutdown phase on a reset too: SIGTERM, then SHUTDOWN with reason timeout', async () => {
    const { env } = environment('recording-extension-layer', {}, 800);
    expect((await env.invoke('"hang"')).outcome).toBe('timeout');
    expect(marks()).toEqual(['runtime SIGTERM', 'extension SHUTDOWN timeout']);
  });

  it('hides the runtime-only variables from extensions', async () => {
    const { env } = environment('recording-extension-layer', { RECORD_ENV: '1' });
    await env.invoke('"up"');
    expect(marks()).toEqual(['extension sees AWS_LAMBDA_FUNCTION_NAME']);
  });

  it('kills an extension registered for INVOKE only at once at shutdown, instead of waiting out the phase', async () => {
    const { env } = environment('recording-extension-layer', { EXTENSION_EVENTS: 'INVOKE' });
    await env.invoke('"up"');
    const started = Date.now();
    await env.shutdown();
    // The phase lasts 2000 ms; only an extension waiting for SHUTDOWN may use it.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(marks()).toEqual(['runtime SIGTERM']);
  });

  it('fails INIT with the type an extension reports on /extension/init/error, and logs an /extension/exit/error', async () => {
    const failing = environment('recording-extension-layer', { EXTENSION_INIT_ERROR: 'Extension.ConfigInvalid' });
    const result = await failing.env.invoke('"up"');
    expect(result).toMatchObject({ outcome: 'init-error', functionErrorType: 'Extension.ConfigInvalid' });
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: 'Extension.ConfigInvalid',
      errorMessage: 'Extension recorder reported an initialization error: Extension.ConfigInvalid',
    });
    expect(marks()[0]).toBe('extension init/error 202');

    const exiting = environment('recording-extension-layer', { EXTENSION_EXIT_ERROR: 'Extension.FlushFailed' });
    await exiting.env.invoke('"up"');
    await exiting.env.shutdown();
    expect(exiting.lines).toContain('extension recorder reported an exit error: Extension.FlushFailed');
  });
});
