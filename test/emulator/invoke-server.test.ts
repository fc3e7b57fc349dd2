import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutionEnvironment, Sandbox, probeSandbox, startInvokeServer, type InvokeServer } from '../../lib/local/emulator';
import { MAX_INVOKE_REQUEST_BYTES } from '../../lib/core/limits';

const run = promisify(execFile);
const FIXTURES = path.join(__dirname, 'fixtures');
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function serve(env: ExecutionEnvironment): Promise<InvokeServer> {
  const server = await startInvokeServer(env);
  cleanups.push(
    () => env.shutdown(),
    () => server.close(),
  );
  return server;
}

/** curl, as a user of the RIE would drive it: status, X-Amz-Function-Error and body. */
async function curlInvoke(server: InvokeServer, data: string): Promise<{ status: number; functionError?: string; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', '-X', 'POST', `${server.url}/2015-03-31/functions/function/invocations`, '-d', data]);
  const [head, ...rest] = stdout.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]),
    functionError: /^x-amz-function-error: (.*)$/im.exec(head)?.[1],
    body: rest.join('\r\n\r\n'),
  };
}

describe('RIE-compatible invoke endpoint', () => {
  it('passes the raw event in and the raw result out, flagging errors with X-Amz-Function-Error', async () => {
    const env = new ExecutionEnvironment({
      functionName: 'echo',
      taskRoot: path.join(FIXTURES, 'echo-runtime'),
      runtime: 'provided.al2023',
      handler: 'function.handler',
      environment: {},
      log: () => undefined,
    });
    const server = await serve(env);
    const ok = await curlInvoke(server, '{"payload":"hello"}');
    expect(ok).toEqual({ status: 200, functionError: undefined, body: '{"payload":"hello"}' });
    const crash = await curlInvoke(server, '"crash"');
    expect(crash.status).toBe(200);
    expect(crash.functionError).toBe('Unhandled');
    expect(JSON.parse(crash.body).errorType).toBe('Runtime.ExitError');
  });

  it('refuses an event over 6 MiB with 413 RequestEntityTooLargeException, as the Invoke API does', async () => {
    const lines: string[] = [];
    const env = new ExecutionEnvironment({
      functionName: 'echo',
      taskRoot: path.join(FIXTURES, 'echo-runtime'),
      runtime: 'provided.al2023',
      handler: 'function.handler',
      environment: {},
      log: (line) => lines.push(line),
    });
    const server = await serve(env);
    const response = await fetch(`${server.url}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: Buffer.alloc(MAX_INVOKE_REQUEST_BYTES + 1, 'a'),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      Type: 'User',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      __type: 'RequestEntityTooLargeException',
    });
    expect(env.state).toBe('cold');
    expect(lines).toEqual([]);
  });
});

describe('what the caller sends besides the event', () => {
  async function shellServer(): Promise<InvokeServer> {
    const env = new ExecutionEnvironment({
      functionName: 'shell',
      taskRoot: path.join(FIXTURES, 'shell-runtime'),
      runtime: 'provided.al2023',
      environment: {},
      log: () => undefined,
    });
    return serve(env);
  }
  const invoke = (server: InvokeServer, command: string, headers: Record<string, string>) =>
    fetch(`${server.url}/2015-03-31/functions/function/invocations`, { method: 'POST', body: command, headers });

  it('hands the runtime the client context decoded, as Lambda-Runtime-Client-Context', async () => {
    const server = await shellServer();
    const context = { custom: { app: 'spaceport' }, env: { locale: 'fr-FR' } };
    const response = await invoke(server, 'echo "$CLIENT_CONTEXT"', {
      'X-Amz-Client-Context': Buffer.from(JSON.stringify(context)).toString('base64'),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse((await response.text()).split('\n')[0])).toEqual(context);
  });

  it('refuses a client context that is not base64 JSON, or too long, as the Invoke API does', async () => {
    const server = await shellServer();
    for (const bad of ['not base64!', Buffer.from('[1,2]').toString('base64'), Buffer.from('{"a":1').toString('base64'), 'A'.repeat(3584)]) {
      const response = await invoke(server, 'true', { 'X-Amz-Client-Context': bad });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ __type: 'InvalidRequestContentException', message: expect.stringMatching(/Client context/) });
    }
  });

  it('forwards the Content-Type the runtime gave its answer, as the RIE does', async () => {
    const server = await shellServer();
    // The shell runtime posts its answer with curl --data-binary, which labels it as a form.
    const response = await invoke(server, 'echo hi', {});
    expect(response.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });

  it("passes the caller's X-Amzn-Trace-Id through as Lambda-Runtime-Trace-Id, and makes one up without it", async () => {
    const server = await shellServer();
    const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const passed = await invoke(server, 'echo "$TRACE_ID"', { 'X-Amzn-Trace-Id': traceId });
    expect((await passed.text()).split('\n')[0]).toBe(traceId);
    const made = await invoke(server, 'echo "$TRACE_ID"', {});
    expect((await made.text()).split('\n')[0]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});

describe('invocation types and log tails, as the Invoke API', () => {
  async function recordingServer(): Promise<{ server: InvokeServer; lines: string[] }> {
    const lines: string[] = [];
    const env = new ExecutionEnvironment({
      functionName: 'shell',
      taskRoot: path.join(FIXTURES, 'shell-runtime'),
      runtime: 'provided.al2023',
      environment: {},
      log: (line) => lines.push(line),
    });
    return { server: await serve(env), lines };
  }
  const invoke = (server: InvokeServer, command: string, headers: Record<string, string>) =>
    fetch(`${server.url}/2015-03-31/functions/function/invocations`, { method: 'POST', body: command, headers });

  it('answers Event with 202 at once and runs it after the invocation holding the environment', async () => {
    const { server, lines } = await recordingServer();
    const holding = invoke(server, 'sleep 0.5; echo first', {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = await invoke(server, 'echo second-ran', { 'X-Amz-Invocation-Type': 'Event' });
    expect(queued.status).toBe(202);
    expect(await queued.text()).toBe('');
    const requestId = queued.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await (await holding).text()).toContain('first');
    while (!lines.some((line) => line.startsWith(`REPORT RequestId: ${requestId}`))) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines).toContain(`START RequestId: ${requestId} Version: $LATEST`);
  });

  it('answers DryRun with 204 and runs nothing, and refuses an unknown invocation type', async () => {
    const { server, lines } = await recordingServer();
    const dry = await invoke(server, 'echo ran', { 'X-Amz-Invocation-Type': 'DryRun' });
    expect(dry.status).toBe(204);
    expect(lines).toEqual([]);
    const unknown = await invoke(server, 'true', { 'X-Amz-Invocation-Type': 'Later' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).__type).toBe('ValidationException');
  });

  it('returns the last 4 KB of the log, base64, in X-Amz-Log-Result for X-Amz-Log-Type: Tail', async () => {
    const { server } = await recordingServer();
    const response = await invoke(server, '(head -c 6000 /dev/zero | tr "\\0" x; echo) >&3; echo done', { 'X-Amz-Log-Type': 'Tail' });
    const tail = Buffer.from(response.headers.get('x-amz-log-result') ?? '', 'base64').toString();
    expect(Buffer.byteLength(tail)).toBe(4096);
    expect(tail).toMatch(/^x+\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: .*\n$/);
    const short = await invoke(server, 'echo short', { 'X-Amz-Log-Type': 'Tail' });
    expect(Buffer.from(short.headers.get('x-amz-log-result') ?? '', 'base64').toString()).toMatch(
      /^START RequestId: .*\nEND RequestId: .*\nREPORT RequestId: /,
    );
    expect((await invoke(server, 'echo none', {})).headers.get('x-amz-log-result')).toBeNull();
  });
});

describe('managed runtime with AWS_LAMBDA_EXEC_WRAPPER from a layer', () => {
  async function wrappedInvoke(environment: Record<string, string>): Promise<{ body: string; opt: string }> {
    const sandbox = new Sandbox(await probeSandbox());
    const env = new ExecutionEnvironment({
      functionName: 'wrapped',
      taskRoot: path.join(FIXTURES, 'node-task'),
      layerDir: path.join(FIXTURES, 'wrapper-layer'),
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap', ...environment },
      log: () => undefined,
      sandbox,
    });
    const server = await serve(env);
    const { body, functionError } = await curlInvoke(server, '{}');
    expect(functionError).toBeUndefined();
    const hostPaths = sandbox.capabilities.bwrapRoot === undefined;
    return { body, opt: hostPaths ? path.join(FIXTURES, 'wrapper-layer') : '/opt' };
  }

  it('starts the wrapper with the runtime command line, Node heap flags and /opt paths the processes can reach', async () => {
    const { body, opt } = await wrappedInvoke({});
    expect(body).toContain(`args=/var/lang/bin/node --expose-gc --max-old-space-size=461 --max-semi-space-size=25 /var/runtime/index.mjs`);
    expect(body).toContain(`wrapper=${opt}/spaceport/bootstrap`);
    expect(body).toContain(`node_path=${opt}/nodejs/node22/node_modules:${opt}/nodejs/node_modules:`);
    expect(body).toContain('env=AWS_Lambda_nodejs22.x');
  });

  it('sets no NODE_OPTIONS, as Lambda sets none: the heap flags are only on the command line', async () => {
    expect((await wrappedInvoke({})).body).toContain('node_options=unset ');
  });

  it("passes the function's own NODE_OPTIONS through unchanged, and never onto the runtime's command line", async () => {
    const { body } = await wrappedInvoke({ NODE_OPTIONS: '--enable-source-maps' });
    expect(body).toContain('node_options=--enable-source-maps ');
    expect(body).toContain(`args=/var/lang/bin/node --expose-gc --max-old-space-size=461 --max-semi-space-size=25 /var/runtime/index.mjs`);
  });
});
