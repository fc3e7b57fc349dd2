/**
 * One micro under `spaceport dev`: its pool of emulated Lambda execution environments running the real adapter,
 * and the two ways in: an HTTP request (payload 2.0 event) and a scheduled action (the action event), each
 * logged as one line and turned into what the developer should see when it fails.
 */
import { actionEvent } from '../../core/action-event';
import { appActionEvent } from '../../core/app-action-event';
import { BODY_LIMIT_BYTES, MAX_INVOKE_REQUEST_BYTES } from '../../core/limits';
import { parseActionRunLine } from '../../core/action-log';
import type { Micro, ScheduledAction } from '../../spacefile/model';
import { ExecutionEnvironment, type InvocationResult, type WarmUpResult } from '../emulator/execution-environment';
import { InvokeRequestTooLargeError } from '../emulator/invoke-request';
import type { AwsCredentials } from '../emulator/lambda-variables';
import type { Sandbox } from '../emulator/sandbox';
import { httpResponseFromResult, InvalidResponseError, type HttpApiEvent, type HttpResponse } from '../http-api-event';
import { findFreePort } from './free-port';
import type { DevLogger } from './logger';
import { EnvironmentPool, type PooledEnvironment } from './pool';
import { type RequestLabel, requestLogLine } from './request-log';

export interface MicroRuntimeOptions {
  readonly micro: Micro;
  /**
   * The directory the function's code is in (`/var/task`).
   * @default the micro's src directory
   */
  readonly taskRoot?: string;
  /** The function environment without `PORT` (see `microFunctionVariables`). */
  readonly environment: Readonly<Record<string, string>>;
  /** The built runtime layer (`runtime-layer/dist/layer`), seen by the function at `/opt`. */
  readonly layerDir: string;
  readonly sandbox: Sandbox;
  readonly logger: DevLogger;
  readonly concurrency: number;
  readonly idleTimeoutMs: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Host directories the micro must not read: the app's `.spaceport/` with its local secrets. */
  readonly hiddenPaths: readonly string[];
  /** The AWS credentials of each new environment. @default placeholders AWS refuses */
  readonly credentials?: () => Promise<AwsCredentials>;
  /** Show the emulator's START/END/REPORT lines (the request line already says what they say). */
  readonly verbose: boolean;
  /** The micro runs its `dev` command: its src is writable for the dev server's caches. */
  readonly runsDevCommand: boolean;
  /**
   * What the developer can do about a start failure, when known (a static micro's files not built yet). Asked
   * only when the micro fails to start, so it sees the tree as it is then.
   */
  readonly startFailureHint?: () => string | undefined;
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

/** Lines the request line already says (INIT_REPORT, which says why INIT failed, stays). */
const PLATFORM_LOG_LINE = /^(?:(?:START|END|REPORT) RequestId: |INIT_START )/;

interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
}

function readError(result: Pick<InvocationResult, 'payload' | 'functionErrorType'>): LambdaError {
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

/** The summary line of a multi-line error message. */
function firstLine(message: string): string {
  const end = message.indexOf('\n');
  return end === -1 ? message : message.slice(0, end);
}

function errorResponse(statusCode: number, message: string, error?: LambdaError, detail?: string): HttpResponse {
  const body = { message, ...(detail ? { detail } : {}), ...(error ? { errorType: error.errorType, errorMessage: error.errorMessage } : {}) };
  return { statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body, null, 2)) };
}

/**
 * Why Lambda refused the event of `request`: under the 5.5 MB body limit, a body can still make an event over 6 MiB,
 * most often a binary one, which the event carries base64-encoded (4/3 larger).
 */
function eventTooLargeDetail(request: HttpApiEvent, refusal: InvokeRequestTooLargeError): string {
  const limits = `its Lambda event is ${refusal.bytes} bytes and Lambda accepts at most ${MAX_INVOKE_REQUEST_BYTES} per invocation`;
  if (!request.isBase64Encoded) return `${limits}; the body, headers and query string all count`;
  const bodyBytes = Buffer.byteLength(request.body ?? '', 'base64');
  return (
    `${limits}: the ${bodyBytes}-byte body is binary, so the event carries it base64-encoded, 4/3 larger. ` +
    `Binary bodies over about ${Math.floor((MAX_INVOKE_REQUEST_BYTES * 3) / 4)} bytes fail on Lambda too, ` +
    `even under the ${BODY_LIMIT_BYTES}-byte body limit: upload large files elsewhere (a presigned URL, or in parts)`
  );
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
    const { response, label } = await this.pool.invoke(JSON.stringify(event)).then(
      ({ result }): { response: HttpResponse; label: RequestLabel } => ({
        response: this.toHttpResponse(result),
        label: result.cold ? 'cold' : 'warm',
      }),
      (error: unknown): { response: HttpResponse; label: RequestLabel } => ({ response: this.refusal(event, error), label: 'refused' }),
    );
    this.log(requestLogLine(event.requestContext.http.method, event.rawPath, response.statusCode, started, label));
    return response;
  }

  /**
   * An App Action call of the owner's console (`GET /__space/actions`, or an action's path): invoked directly with
   * the App Action event, as the cloud console function does, never through the router.
   */
  async callAppAction(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResponse> {
    const started = performance.now();
    const { response, label } = await this.pool.invoke(JSON.stringify(appActionEvent(method, path, body))).then(
      ({ result }): { response: HttpResponse; label: RequestLabel } => ({
        response: this.toHttpResponse(result),
        label: result.cold ? 'cold' : 'warm',
      }),
      (error: unknown): { response: HttpResponse; label: RequestLabel } => ({
        response: errorResponse(503, `micro ${this.micro.name} is unavailable: ${String(error)}`),
        label: 'refused',
      }),
    );
    this.log(`${requestLogLine(method, path, response.statusCode, started, label)} (console App Action)`);
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

  /**
   * Replaces every environment (after a source change) and starts one at once, so that an INIT failure shows in
   * the log right after saving and the next request finds a warm environment.
   */
  async restart(): Promise<void> {
    await this.pool.restart();
    this.pool.prewarm();
  }

  stop(): Promise<void> {
    return this.pool.stop();
  }

  private log(line: string): void {
    this.options.logger.log(this.micro.name, line);
  }

  private createEnvironment(index: number): PooledEnvironment<InvocationResult> {
    const { micro, layerDir, sandbox, timeoutMs, memoryMb, verbose, taskRoot = micro.srcDir } = this.options;
    let environment: Promise<ExecutionEnvironment> | undefined;
    // The emulator takes its environment at construction, and PORT is only known once a free port is found.
    const start = async (): Promise<ExecutionEnvironment> =>
      new ExecutionEnvironment({
        functionName: `${micro.name}-${index}`,
        taskRoot,
        layerDir,
        runtime: micro.runtime,
        environment: { ...this.options.environment, PORT: String(await findFreePort()) },
        memoryMb,
        timeoutMs,
        sandbox,
        writableTaskRoot: this.options.runsDevCommand,
        credentials: this.options.credentials,
        hiddenPaths: this.options.hiddenPaths,
        log: (line: string) => {
          // The adapter's action run line repeats what runAction logs below with more detail.
          if (verbose || !(PLATFORM_LOG_LINE.test(line) || parseActionRunLine(line))) this.log(line);
        },
      });
    let warming: Promise<void> = Promise.resolve();
    return {
      warm: () => {
        const cannotStart = (error: Error): void => this.log(`could not start ahead of the next request: ${error.message}`);
        warming = (environment ??= start()).then(async (started) => {
          try {
            this.reportWarmUp(started, await started.warmUp());
          } catch (error) {
            if (started.state !== 'shut down') cannotStart(error as Error);
          }
        }, cannotStart);
        return warming;
      },
      invoke: async (event) => {
        environment ??= start();
        // A request that arrives during a warm-up gets the environment it is starting.
        await warming;
        return (await environment).invoke(event as string);
      },
      stop: async () => {
        if (environment) await (await environment).shutdown();
      },
    };
  }

  /** Says how the warm-up went; one cut short by a newer restart or by stopping is not news. */
  private reportWarmUp(environment: ExecutionEnvironment, result: WarmUpResult): void {
    if (environment.state === 'shut down') return;
    if (result.outcome === 'success') {
      this.log(`ready (started in ${result.initDurationMs.toFixed(0)} ms)`);
      return;
    }
    const error = readError({ payload: result.payload ?? Buffer.alloc(0), functionErrorType: result.functionErrorType });
    this.logStartFailure(error, this.options.startFailureHint?.());
  }

  /** A start failure's message repeats the micro's output, which is already in the log above: its summary only. */
  private logStartFailure(error: LambdaError, hint: string | undefined): void {
    this.log(`failed to start (${error.errorType}): ${firstLine(error.errorMessage)}${hint ? `\nhint: ${hint}` : ''}`);
  }

  /** The answer to a request no environment took: one Lambda refuses (413, as in the cloud), or a stopping pool. */
  private refusal(event: HttpApiEvent, error: unknown): HttpResponse {
    if (!(error instanceof InvokeRequestTooLargeError)) {
      return errorResponse(503, `micro ${this.micro.name} is unavailable: ${String(error)}`);
    }
    const detail = eventTooLargeDetail(event, error);
    this.log(`request refused by Lambda (${error.errorType}): ${detail}`);
    return errorResponse(413, 'Request Entity Too Large', { errorType: error.errorType, errorMessage: error.message }, detail);
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
    if (result.outcome === 'init-error') {
      const hint = this.options.startFailureHint?.();
      this.logStartFailure(error, hint);
      return errorResponse(502, `micro ${name} failed to start; its output is in the spaceport dev log`, error, hint);
    }
    const [statusCode, message, logged]: [number, string, string] = {
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
