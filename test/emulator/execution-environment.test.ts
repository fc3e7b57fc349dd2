import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionEnvironment, type ExecutionEnvironmentOptions, InvokeRequestTooLargeError } from '../../lib/local/emulator';
import { MAX_INVOKE_REQUEST_BYTES } from '../../lib/core/limits';

const FIXTURES = path.join(__dirname, 'fixtures');
const environments: ExecutionEnvironment[] = [];

afterEach(async () => {
  await Promise.all(environments.splice(0).map((env) => env.shutdown()));
});

/** Pids of processes whose environment carries `marker`: what an environment left behind. */
function processesWithMarker(marker: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => {
      if (!/^\d+$/.test(name)) return false;
      try {
        return fs.readFileSync(`/proc/${name}/environ`, 'utf8').includes(`SPACEPORT_TEST_MARKER=${marker}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function environment(fixture: string, overrides: Partial<ExecutionEnvironmentOptions> = {}) {
  const lines: string[] = [];
  const marker = `${fixture}-${process.pid}-${environments.length}-${Date.now()}`;
  const env = new ExecutionEnvironment({
    functionName: `test-${fixture}`,
    taskRoot: path.join(FIXTURES, fixture),
    runtime: 'provided.al2023',
    handler: 'function.handler',
    log: (line) => lines.push(line),
    ...overrides,
    environment: { SPACEPORT_TEST_MARKER: marker, ...overrides.environment },
  });
  environments.push(env);
  return { env, lines, marker };
}

describe('ExecutionEnvironment with an unmodified bash + curl custom runtime', () => {
  it('echoes events, cold then warm, with START/END/REPORT lines', async () => {
    const { env, lines } = environment('echo-runtime');
    expect(env.state).toBe('cold');
    const first = await env.invoke('{"hello":"world"}');
    expect(first.outcome).toBe('success');
    expect(first.payload.toString()).toBe('{"hello":"world"}');
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(env.state).toBe('idle');
    expect(env.idleSinceMs).toBeLessThanOrEqual(Date.now());

    const second = await env.invoke(Buffer.from('[1,2,3]'));
    expect(second.payload.toString()).toBe('[1,2,3]');
    expect(second.cold).toBe(false);
    expect(second.initDurationMs).toBeUndefined();

    expect(lines).toContain(`START RequestId: ${first.requestId} Version: $LATEST`);
    expect(lines).toContain(`END RequestId: ${first.requestId}`);
    expect(lines).toContain(`handling ${first.requestId}`);
    const report = lines.find((l) => l.startsWith(`REPORT RequestId: ${first.requestId}`));
    expect(report).toMatch(
      /\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: [1-9]\d* MB\tInit Duration: \d+\.\d\d ms/,
    );
    const warmReport = lines.find((l) => l.startsWith(`REPORT RequestId: ${second.requestId}`));
    expect(warmReport).not.toContain('Init Duration');
  });

  it('refuses a second concurrent invocation', async () => {
    const { env } = environment('echo-runtime');
    const first = env.invoke('"one"');
    await expect(env.invoke('"two"')).rejects.toThrow(/one invocation at a time/);
    expect((await first).payload.toString()).toBe('"one"');
  });

  it('answers a timeout like Lambda, kills the whole tree and re-initialises on the next invoke', async () => {
    const { env, lines, marker } = environment('echo-runtime', { timeoutMs: 1500 });
    await env.invoke('"warm"');
    const result = await env.invoke('"sleep"');
    expect(result.outcome).toBe('timeout');
    expect(result.functionErrorType).toBe('Sandbox.Timedout');
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.50 seconds`,
    });
    expect(lines.some((l) => l.endsWith(`${result.requestId} Task timed out after 1.50 seconds`))).toBe(true);
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${result.requestId}`))).toContain('Status: timeout');
    expect(processesWithMarker(marker)).toEqual([]);

    const after = await env.invoke('"again"');
    expect(after).toMatchObject({ outcome: 'success', cold: true });
    expect(after.payload.toString()).toBe('"again"');
  });

  it('reports a runtime that exits during an invocation as Runtime.ExitError and recovers', async () => {
    const { env, marker } = environment('echo-runtime');
    const result = await env.invoke('"crash"');
    expect(result.outcome).toBe('crash');
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect(processesWithMarker(marker)).toEqual([]);
    expect((await env.invoke('"fine"')).outcome).toBe('success');
  });

  it('returns the init error the runtime reported, and retries init on the next invoke', async () => {
    const { env, lines } = environment('init-error-runtime');
    const result = await env.invoke('{}');
    expect(result.outcome).toBe('init-error');
    expect(result.functionErrorType).toBe('Runtime.ImportModuleError');
    expect(JSON.parse(result.payload.toString())).toMatchObject({ errorMessage: 'Cannot find module app' });
    // INIT was retried inside the invocation: its durations are in the INIT_REPORT lines, not in REPORT.
    expect(lines.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.split('\t').slice(1).join(' '))).toEqual([
      'Phase: init Status: error Error Type: Runtime.ImportModuleError',
      'Phase: invoke Status: error Error Type: Runtime.ImportModuleError',
    ]);
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${result.requestId}`))).toMatch(
      /\tStatus: error\tError Type: Runtime\.ImportModuleError$/,
    );
    expect((await env.invoke('{}')).cold).toBe(true);
  });

  it('kills an INIT that passes its limit and retries it within the invocation, like Lambda', async () => {
    const marker = path.join(os.tmpdir(), `spaceport-init-marker-${process.pid}-${Date.now()}`);
    const { env, lines } = environment('slow-init-runtime', { initTimeoutMs: 400, timeoutMs: 5000, environment: { INIT_MARKER: marker } });
    try {
      const result = await env.invoke('"after retry"');
      expect(result.outcome).toBe('success');
      expect(result.payload.toString()).toBe('"after retry"');
      expect(lines.some((l) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/.test(l))).toBe(true);
    } finally {
      fs.rmSync(marker, { force: true });
    }
  });

  it('notices a runtime that dies between invocations and starts the next one cold', async () => {
    const { env, lines } = environment('shell-runtime', { timeoutMs: 5000 });
    await env.invoke('(sleep 0.2; kill -9 $RUNTIME_PID) >/dev/null 2>&1 &');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(lines).toContain('Runtime exited with error: signal: killed; the next invocation starts a new environment');
    const result = await env.invoke('echo back');
    expect(result).toMatchObject({ outcome: 'success', cold: true });
    expect(result.payload.toString()).toContain('back');
  });

  it('shuts down with nothing left behind and refuses later invocations', async () => {
    const { env, marker } = environment('echo-runtime');
    await env.invoke('"up"');
    expect(processesWithMarker(marker).length).toBeGreaterThan(0);
    await env.shutdown();
    expect(env.state).toBe('shut down');
    expect(processesWithMarker(marker)).toEqual([]);
    await expect(env.invoke('"late"')).rejects.toThrow(/shut down/);
  });

  it('names the missing bootstrap', async () => {
    const { env } = environment('.', { taskRoot: FIXTURES });
    const result = await env.invoke('{}');
    expect(result.outcome).toBe('init-error');
    expect(result.functionErrorType).toBe('Runtime.InvalidEntrypoint');
    expect(result.payload.toString()).toContain("Couldn't find valid bootstrap(s)");
  });

  it("gives the runtime Lambda's environment variables", async () => {
    const { env } = environment('shell-runtime', { environment: { GREETING: 'hi' } });
    const result = await env.invoke('env');
    const vars = Object.fromEntries(
      result.payload
        .toString()
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(vars).toMatchObject({
      GREETING: 'hi',
      _HANDLER: 'function.handler',
      AWS_LAMBDA_FUNCTION_NAME: 'test-shell-runtime',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      TZ: ':UTC',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
    });
    // Lambda always sets the execution role's keys; locally, placeholders AWS refuses unless credentials are given.
    expect(vars).toMatchObject({ AWS_ACCESS_KEY_ID: 'ASIASPACEPORTDEVNONE', AWS_SESSION_TOKEN: expect.stringMatching(/no-AWS-credentials/) });
    expect(vars.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(vars.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});

describe('the synchronous invoke request limit (6 MiB)', () => {
  it('refuses a larger event the way the Invoke API does, before anything runs', async () => {
    const { env, lines, marker } = environment('echo-runtime');
    const refusal = await env.invoke(Buffer.alloc(MAX_INVOKE_REQUEST_BYTES + 1, 'a')).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(InvokeRequestTooLargeError);
    expect(refusal).toMatchObject({
      statusCode: 413,
      errorType: 'RequestEntityTooLargeException',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      bytes: 6_291_457,
    });
    expect(env.state).toBe('cold');
    expect(lines).toEqual([]);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('accepts an event of exactly 6291456 bytes', async () => {
    // The wrapper layer answers without echoing, so only the request side is at the limit.
    const { env } = environment('node-task', {
      layerDir: path.join(FIXTURES, 'wrapper-layer'),
      runtime: 'nodejs22.x',
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap' },
    });
    const event = `"${'a'.repeat(MAX_INVOKE_REQUEST_BYTES - 2)}"`;
    expect((await env.invoke(event)).outcome).toBe('success');
  });
});

describe('warming an environment up ahead of its first invocation', () => {
  it('runs INIT now, so the next invocation is warm and carries no Init Duration', async () => {
    const { env, lines } = environment('echo-runtime');
    const warm = await env.warmUp();
    expect(warm.outcome).toBe('success');
    expect(warm.initDurationMs).toBeGreaterThan(0);
    expect(env.state).toBe('idle');
    expect(lines.some((line) => line.startsWith('START'))).toBe(false);
    const result = await env.invoke('"first"');
    expect(result).toMatchObject({ outcome: 'success', cold: false, initDurationMs: undefined });
    expect(result.payload.toString()).toBe('"first"');
  });

  it('reports an INIT failure at once and leaves the environment cold for the next invocation', async () => {
    const { env, marker } = environment('init-error-runtime');
    const warm = await env.warmUp();
    expect(warm.outcome).toBe('init-error');
    expect(warm.functionErrorType).toBe('Runtime.ImportModuleError');
    expect(JSON.parse(warm.payload!.toString())).toMatchObject({ errorMessage: 'Cannot find module app' });
    expect(env.state).toBe('cold');
    expect(processesWithMarker(marker)).toEqual([]);
    expect((await env.invoke('{}')).outcome).toBe('init-error');
  });

  it('stops cleanly when shut down in the middle of INIT', async () => {
    const initMarker = path.join(os.tmpdir(), `spaceport-warm-marker-${process.pid}-${Date.now()}`);
    const { env, marker } = environment('slow-init-runtime', { environment: { INIT_MARKER: initMarker } });
    try {
      const warming = env.warmUp();
      // Once while the sandbox is being set up, once while the runtime hangs in INIT.
      await env.shutdown();
      expect((await warming).outcome).not.toBe('success');
      expect(processesWithMarker(marker)).toEqual([]);

      // A short INIT limit: a killed INIT is only noticed at the limit, and a shut-down environment never retries it.
      const second = environment('slow-init-runtime', { initTimeoutMs: 1000, environment: { INIT_MARKER: initMarker } });
      fs.rmSync(initMarker, { force: true });
      const hanging = second.env.warmUp();
      while (!fs.existsSync(initMarker)) await new Promise((resolve) => setTimeout(resolve, 20));
      await second.env.shutdown();
      expect((await hanging).outcome).not.toBe('success');
      expect(processesWithMarker(second.marker)).toEqual([]);
    } finally {
      fs.rmSync(initMarker, { force: true });
    }
  });
});

describe("Lambda's INIT phase: its own limit, before the invoke's clock starts", () => {
  it('gives a 1.2 s cold start and 0.5 s of work a 1 s timeout, and bills INIT', async () => {
    const { env, lines } = environment('shell-runtime', { timeoutMs: 1000, environment: { INIT_SLEEP: '1.2' } });
    const result = await env.invoke('sleep 0.5; echo worked');
    expect(result).toMatchObject({ outcome: 'success', cold: true });
    expect(result.payload.toString()).toContain('worked');
    expect(result.initDurationMs).toBeGreaterThanOrEqual(1200);
    expect(result.durationMs).toBeLessThan(1000);
    expect(result.billedDurationMs).toBe(Math.ceil(result.durationMs + result.initDurationMs!));
    const order = lines.filter((l) => /^(INIT_START|START|END|REPORT) /.test(l)).map((l) => l.split(' ')[0]);
    expect(order).toEqual(['INIT_START', 'START', 'END', 'REPORT']);
    expect(lines[0]).toBe('INIT_START Runtime Version: provided:al2023.local\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:local');
  });

  it('names the runtime in INIT_START the way Lambda does, as a local version', async () => {
    for (const [runtime, version] of [
      ['nodejs22.x', 'nodejs:22.local'],
      ['python3.12', 'python:3.12.local'],
    ]) {
      const { env, lines } = environment('node-task', {
        runtime: runtime as 'nodejs22.x',
        layerDir: path.join(FIXTURES, 'wrapper-layer'),
        environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap' },
      });
      await env.invoke('{}');
      expect(lines[0]).toBe(`INIT_START Runtime Version: ${version}\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:local`);
    }
  });

  it('hands the runtime a deadline of the full timeout counted from the end of INIT', async () => {
    const { env } = environment('shell-runtime', { timeoutMs: 3000, environment: { INIT_SLEEP: '1' } });
    const invoked = Date.now();
    const result = await env.invoke('echo "deadline=$DEADLINE_MS"');
    const deadline = Number(/^deadline=(\d+)$/m.exec(result.payload.toString())?.[1]);
    // Lambda-Runtime-Deadline-Ms = end of INIT (at least 1 s after the call) + the 3 s timeout.
    expect(deadline - invoked).toBeGreaterThanOrEqual(4000);
    expect(deadline - invoked).toBeLessThan(4000 + 1500);
  });

  it('lets an INIT longer than the timeout (under the INIT limit) succeed through warm-up and a later invoke', async () => {
    const { env } = environment('shell-runtime', { timeoutMs: 500, environment: { INIT_SLEEP: '1' } });
    const warm = await env.warmUp();
    expect(warm.outcome).toBe('success');
    expect((await env.invoke('echo warm')).payload.toString()).toContain('warm');
  });

  it("retries a failed INIT once in the invoke phase, with INIT_REPORT lines and the invocation's request id", async () => {
    const { env, lines } = environment('shell-runtime', { environment: { INIT_EXIT: '7' } });
    const result = await env.invoke('true');
    expect(result.outcome).toBe('init-error');
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 7`,
    });
    const reports = lines.filter((l) => l.startsWith('INIT_REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime\.ExitError$/);
    expect(reports[1]).toMatch(/\tPhase: invoke\tStatus: error\tError Type: Runtime\.ExitError$/);
    expect(lines.indexOf(reports[0])).toBeLessThan(lines.indexOf(`START RequestId: ${result.requestId} Version: $LATEST`));
    expect(lines.indexOf(reports[1])).toBeGreaterThan(lines.indexOf(`START RequestId: ${result.requestId} Version: $LATEST`));
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${result.requestId}`))).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
  });

  it('reports a timeout with the timeout as its duration, and an error with its type', async () => {
    const { env, lines } = environment('echo-runtime', { timeoutMs: 800 });
    await env.invoke('"warm"');
    const timedOut = await env.invoke('"sleep"');
    expect(timedOut.durationMs).toBe(800);
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${timedOut.requestId}`))).toMatch(
      /\tDuration: 800\.00 ms\tBilled Duration: 800 ms\t.*\tStatus: timeout$/,
    );
    const crashed = await env.invoke('"crash"');
    expect(lines.find((l) => l.startsWith(`REPORT RequestId: ${crashed.requestId}`))).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
  });
});

describe("the function's configuration, as Lambda takes it", () => {
  it("refuses a variable Lambda reserves, with Lambda's words, and lets TZ (unreserved) through", async () => {
    expect(() => environment('shell-runtime', { environment: { AWS_SECRET_ACCESS_KEY: 'x', _HANDLER: 'y' } })).toThrow(
      'test-shell-runtime: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_SECRET_ACCESS_KEY, _HANDLER',
    );
    const { env } = environment('shell-runtime', { environment: { TZ: 'Europe/Paris' } });
    expect((await env.invoke('echo "$TZ"')).payload.toString()).toBe('Europe/Paris\nexit=0');
  });

  it('asks for credentials at every INIT, as Lambda gives each environment fresh role keys, and sets the region', async () => {
    let issued = 0;
    const credentials = async () => ({ accessKeyId: `AKIA${++issued}`, secretAccessKey: 'secret', sessionToken: 'token' });
    const { env } = environment('shell-runtime', { credentials, region: 'eu-central-1' });
    const first = await env.invoke('echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_REGION $AWS_DEFAULT_REGION"');
    expect(first.payload.toString()).toBe('AKIA1 secret token eu-central-1 eu-central-1\nexit=0');
    await env.invoke('kill -9 $RUNTIME_PID');
    expect((await env.invoke('echo "$AWS_ACCESS_KEY_ID"')).payload.toString()).toBe('AKIA2\nexit=0');
  });
});
