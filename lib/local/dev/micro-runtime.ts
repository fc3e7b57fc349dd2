/**
 * One micro under `spaceport dev`: its pool of emulated Lambda execution environments running the real adapter,
 * and the two ways in: an HTTP request (payload 2.0 event) and a scheduled action (the action event), each
 * logged as one line and turned into what the developer should see when it fails.
 */
import { actionEvent } from '../../routing/routes';
import type { Micro, ScheduledAction } from '../../spacefile/model';
import { ExecutionEnvironment, type InvocationResult } from '../emulator/environment';
import type { Sandbox } from '../emulator/sandbox';
import { httpResponseFromResult, InvalidResponseError, type HttpApiEvent, type HttpResponse } from '../http-api-event';
import { findFreePort } from './free-port';
import type { DevLogger } from './logger';
import { EnvironmentPool, type PooledEnvironment } from './pool';

export interface MicroRuntimeOptions {
  readonly micro: Micro;
  /** The function environment without `PORT` (see `microFunctionEnvironment`). */
  readonly environment: Readonly<Record<string, string>>;
  /** The built runtime layer (`runtime-layer/dist/layer`), seen by the function at `/opt`. */
  readonly layerDir: string;
  readonly sandbox: Sandbox;
  readonly logger: DevLogger;
  readonly concurrency: number;
  readonly idleTimeoutMs: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Show the emulator's START/END/REPORT lines (the request line already says what they say). */
  readonly verbose: boolean;
}

/** What running an action gave, as printed by `spaceport trigger` and the dev page. */
export interface ActionOutcome {
  readonly id: string;
  readonly micro: string;
  readonly ok: boolean;
  /** The app's status code, when it answered. */
  readonly statusCode?: number;
  readonly body?: string;
  readonly error?: string;
  readonly durationMs: number;
  readonly cold: boolean;
}

const PLATFORM_LOG_LINE = /^(START|END|REPORT) RequestId: /;

interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
}

function readError(result: InvocationResult): LambdaError {
  try {
    const parsed = JSON.parse(result.payload.toString('utf8')) as Partial<LambdaError>;
    return {
      errorType: parsed.errorType ?? result.functionErrorType ?? 'Unknown',
      errorMessage: parsed.errorMessage ?? result.payload.toString('utf8'),
    };
  } catch {
    return { errorType: result.functionErrorType ?? 'Unknown', errorMessage: result.payload.toString('utf8') };
  }
}

function errorResponse(statusCode: number, message: string, error?: LambdaError): HttpResponse {
  const body = { message, ...(error ? { errorType: error.errorType, errorMessage: error.errorMessage } : {}) };
  return { statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body, null, 2)) };
}

export class MicroRuntime {
  readonly micro: Micro;
  private readonly pool: EnvironmentPool<InvocationResult>;

  constructor(private readonly options: MicroRuntimeOptions) {
    this.micro = options.micro;
    this.pool = new EnvironmentPool({
      maxEnvironments: options.concurrency,
      idleTimeoutMs: options.idleTimeoutMs,
      create: (index) => this.createEnvironment(index),
    });
  }

  /** Invokes the micro with an HTTP event; failures become the response a developer can act on, never a throw. */
  async invokeHttp(event: HttpApiEvent): Promise<HttpResponse> {
    const started = performance.now();
    const { response, cold } = await this.pool.invoke(JSON.stringify(event)).then(
      ({ result }) => ({ response: this.toHttpResponse(result), cold: result.cold }),
      (error: unknown) => ({ response: errorResponse(503, `micro ${this.micro.name} is unavailable: ${String(error)}`), cold: false }),
    );
    const ms = (performance.now() - started).toFixed(0);
    this.log(`${event.requestContext.http.method} ${event.rawPath} ${response.statusCode} ${ms} ms ${cold ? 'cold' : 'warm'}`);
    return response;
  }

  /** Sends `action` the action event, as its schedule does; logs and returns the outcome. */
  async runAction(action: ScheduledAction, reason: 'schedule' | 'manual'): Promise<ActionOutcome> {
    const started = performance.now();
    let outcome: Omit<ActionOutcome, 'durationMs'>;
    try {
      const { result } = await this.pool.invoke(JSON.stringify(actionEvent(action.id)));
      outcome = this.toActionOutcome(action, result);
    } catch (error) {
      outcome = { id: action.id, micro: this.micro.name, ok: false, error: String(error), cold: false };
    }
    const durationMs = Math.round(performance.now() - started);
    const summary = outcome.ok ? `ok ${outcome.statusCode ?? ''}` : `FAILED: ${outcome.error}`;
    this.log(`action ${action.id} (${reason}) ${summary} ${durationMs} ms ${outcome.cold ? 'cold' : 'warm'}`);
    return { ...outcome, durationMs };
  }

  /** Replaces every environment (after a source change). */
  restart(): Promise<void> {
    return this.pool.restart();
  }

  stop(): Promise<void> {
    return this.pool.stop();
  }

  private log(line: string): void {
    this.options.logger.log(this.micro.name, line);
  }

  private createEnvironment(index: number): PooledEnvironment<InvocationResult> {
    const { micro, layerDir, sandbox, timeoutMs, memoryMb, verbose } = this.options;
    let environment: Promise<ExecutionEnvironment> | undefined;
    // The emulator takes its environment at construction, and PORT is only known once a free port is found.
    const start = async (): Promise<ExecutionEnvironment> =>
      new ExecutionEnvironment({
        functionName: `${micro.name}-${index}`,
        taskRoot: micro.srcDir,
        layerDir,
        runtime: micro.runtime,
        environment: { ...this.options.environment, PORT: String(await findFreePort()) },
        memoryMb,
        timeoutMs,
        sandbox,
        log: (line: string) => {
          if (verbose || !PLATFORM_LOG_LINE.test(line)) this.log(line);
        },
      });
    return {
      invoke: async (event) => {
        environment ??= start();
        return (await environment).invoke(event as string);
      },
      stop: async () => {
        if (environment) await (await environment).shutdown();
      },
    };
  }

  private toHttpResponse(result: InvocationResult): HttpResponse {
    const name = this.micro.name;
    if (result.outcome === 'success') {
      try {
        return httpResponseFromResult(JSON.parse(result.payload.toString('utf8')));
      } catch (error) {
        const why = error instanceof InvalidResponseError ? error.message : 'it is not JSON';
        this.log(`invalid response from the function: ${why}`);
        return errorResponse(502, `micro ${name} returned a result HTTP API cannot answer with: ${why}`);
      }
    }
    const error = readError(result);
    const [statusCode, message, logged]: [number, string, string] = {
      'init-error': [502, `micro ${name} failed to start; its output is in the spaceport dev log`, 'failed to start'],
      timeout: [504, `micro ${name} did not answer within ${this.options.timeoutMs / 1000} s`, 'timed out'],
      crash: [502, `micro ${name} crashed while handling the request`, 'crashed'],
      'function-error': [502, `micro ${name}'s function reported an error`, 'function error'],
    }[result.outcome] as [number, string, string];
    this.log(`${logged} (${error.errorType}): ${error.errorMessage}`);
    return errorResponse(statusCode, message, error);
  }

  private toActionOutcome(action: ScheduledAction, result: InvocationResult): Omit<ActionOutcome, 'durationMs'> {
    const base = { id: action.id, micro: this.micro.name, cold: result.cold };
    if (result.outcome !== 'success') {
      const error = readError(result);
      return { ...base, ok: false, error: `${error.errorType}: ${error.errorMessage}` };
    }
    try {
      const reply = JSON.parse(result.payload.toString('utf8')) as { statusCode?: number; body?: string };
      return { ...base, ok: true, statusCode: reply.statusCode, body: reply.body };
    } catch {
      return { ...base, ok: true, body: result.payload.toString('utf8') };
    }
  }
}
