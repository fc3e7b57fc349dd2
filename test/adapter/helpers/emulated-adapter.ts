/**
 * Runs the built layer's bootstrap inside the local Lambda emulator (`ExecutionEnvironment`), so adapter tests
 * prove the adapter and the emulator together.
 */
import { ExecutionEnvironment } from '../../../lib/local/emulator';
import { findFreePort } from '../../../lib/local/dev/free-port';
import type { Sandbox } from '../../../lib/local/emulator/sandbox';
import type { AdapterRuntime } from './adapter-process';

/** The managed runtime each adapter runs on; the bootstrap picks the adapter from `AWS_EXECUTION_ENV`. */
const LAMBDA_RUNTIME = { node: 'nodejs22.x', python: 'python3.12' } as const;

export type Outcome =
  | { readonly kind: 'success'; readonly requestId: string; readonly result: unknown }
  | {
      readonly kind: 'function-error' | 'init-error' | 'timeout' | 'crash';
      readonly requestId: string;
      readonly errorType: string;
      readonly errorMessage: string;
    };

export interface EmulatedAdapter {
  readonly port: number;
  invoke(event: unknown): Promise<Outcome>;
  /** Every line the environment logged (the adapter's, the app's, START/END/REPORT). */
  readonly lines: string[];
  shutdown(): Promise<void>;
}

export async function startEmulatedAdapter(options: {
  layerDir: string;
  runtime: AdapterRuntime;
  taskRoot: string;
  env: Record<string, string>;
  timeoutMs?: number;
  /** How the environment is confined; unconfined by default. */
  sandbox?: Sandbox;
}): Promise<EmulatedAdapter> {
  const port = await findFreePort();
  const lines: string[] = [];
  const environment = new ExecutionEnvironment({
    functionName: `adapter-${options.runtime}`,
    taskRoot: options.taskRoot,
    layerDir: options.layerDir,
    runtime: LAMBDA_RUNTIME[options.runtime],
    environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap', PORT: String(port), ...options.env },
    timeoutMs: options.timeoutMs,
    sandbox: options.sandbox,
    log: (line) => lines.push(line),
  });
  return {
    port,
    lines,
    async invoke(event) {
      const reply = await environment.invoke(typeof event === 'string' ? event : JSON.stringify(event));
      const payload = JSON.parse(reply.payload.toString('utf8') || 'null');
      if (reply.outcome === 'success') return { kind: 'success', requestId: reply.requestId, result: payload };
      return {
        kind: reply.outcome,
        requestId: reply.requestId,
        // What a caller reads: the error body's type. Lambda records a header type outside Runtime.* / Function.*
        // (the adapter's Spaceport.*) as Runtime.Unknown, so functionErrorType only fills in for a body without one.
        errorType: payload?.errorType ?? reply.functionErrorType,
        errorMessage: payload?.errorMessage,
      };
    },
    shutdown: () => environment.shutdown(),
  };
}

/** A payload 2.0 GET of `path`, as API Gateway's HTTP API sends it, for tests that only need a page. */
export function httpGetEvent(path = '/'): unknown {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'x' },
    requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } },
    isBase64Encoded: false,
  };
}
