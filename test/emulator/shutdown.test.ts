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

function environment(layer: string | undefined, extra: Record<string, string> = {}): { env: ExecutionEnvironment; lines: string[] } {
  const lines: string[] = [];
  const env = new ExecutionEnvironment({
    functionName: 'shutdown-test',
    taskRoot: path.join(FIXTURES, 'sigterm-runtime'),
    layerDir: layer && path.join(FIXTURES, layer),
    runtime: 'provided.al2023',
    environment: { MARK_FILE: markFile, ...extra },
    log: (line) => lines.push(line),
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
