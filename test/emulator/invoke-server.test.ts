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
