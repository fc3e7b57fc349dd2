/**
 * The Spaceport runtime adapter (Node): starts the micro's server (or serves its static files), then turns each
 * Lambda invocation into an HTTP request to it and its response into the invocation result.
 */
import { ConfigError, readConfig, type AdapterConfig } from './config';
import { RuntimeApi, type Invocation } from './runtime-api-client';
import { asciiJson, parseEvent, type AppRequest } from './events';
import { refusalResponse, toResult, type AppResponse } from './results';
import { StartFailure } from './start-failure';
import { AppTimedOut, AppUnavailable, InvalidRequest, ResponseTooLarge } from './app-client';
import { StaticSite } from './static-site';
import { log } from './log';
import { actionRunMessage } from '../../lib/core/action-log';

/** Time kept before the deadline to report a scheduled action that has not answered. */
const ACTION_DEADLINE_MARGIN_MS = 200;
/** The app's time after SIGTERM: Lambda gives the runtime 600 ms of the shutdown phase, and the adapter must exit within it. */
const SHUTDOWN_GRACE_MS = 500;
const START_FAILED = 'Spaceport.AppStartFailed';

/** Where requests go: the app's server (`AppServer`) or a static site. */
interface Upstream {
  serve(request: AppRequest, timeoutMs?: number): Promise<AppResponse>;
  /** True when the app must be checked, and restarted if need be (`recover`), before the next event. */
  readonly needsCheck: boolean;
  recover(): Promise<void>;
}

function startFailureMessage(error: unknown): string | undefined {
  if (error instanceof StartFailure || error instanceof ConfigError) return error.message;
  return undefined;
}

/** What the logs get: the app's output is already there, line by line, so only the summary. */
function startFailureLogLine(error: unknown, message: string): string {
  return error instanceof StartFailure ? `${error.summary} (its output is above)` : message;
}

/** Why the app could not give a usable HTTP answer, as the status and message the client gets. */
function upstreamFailure(error: unknown): { status: number; message: string } {
  if (error instanceof ResponseTooLarge) return { status: 413, message: `Payload too large: ${error.message}` };
  if (error instanceof InvalidRequest) return { status: 400, message: `Bad request: ${error.message}` };
  if (error instanceof AppUnavailable) return { status: 502, message: `Bad gateway: ${error.message}` };
  throw error;
}

class Adapter {
  private startFailure: string | undefined;
  private readonly lambdaContextSuffix: string;

  constructor(
    private readonly api: RuntimeApi,
    private readonly config: AdapterConfig,
    private readonly upstream: Upstream,
  ) {
    this.lambdaContextSuffix = `,"env_config":${asciiJson(config.functionEnv)}}`;
  }

  async loop(): Promise<never> {
    for (;;) {
      const invocation = await this.api.next();
      if (this.startFailure !== undefined) {
        await this.api.fail(invocation.requestId, { errorType: START_FAILED, errorMessage: this.startFailure });
        process.exit(1);
      }
      await this.handle(invocation);
      // Restart a crashed app now, before asking for the next event: on Lambda the environment freezes in `next`.
      if (this.upstream.needsCheck) {
        try {
          await this.upstream.recover();
        } catch (error) {
          this.startFailure = startFailureMessage(error);
          if (this.startFailure === undefined) throw error;
          log(startFailureLogLine(error, this.startFailure));
        }
      }
    }
  }

  private lambdaContext(invocation: Invocation): string {
    return `{"request_id":${JSON.stringify(invocation.requestId)},"deadline":${invocation.deadlineMs},"invoked_function_arn":${JSON.stringify(invocation.functionArn)},"xray_trace_id":${JSON.stringify(invocation.traceId)}${this.lambdaContextSuffix}`;
  }

  private async handle(invocation: Invocation): Promise<void> {
    const { requestId } = invocation;
    const parsed = parseEvent(invocation.event, { basePath: this.config.basePath, lambdaContext: this.lambdaContext(invocation) });
    switch (parsed.kind) {
      case 'unsupported':
        return this.api.fail(requestId, { errorType: parsed.errorType, errorMessage: parsed.message });
      case 'refused':
        return this.api.respond(requestId, toResult(parsed.format, refusalResponse(parsed.refusal)));
      case 'http': {
        let response: AppResponse;
        try {
          response = await this.upstream.serve(parsed.request);
        } catch (error) {
          response = refusalResponse(upstreamFailure(error));
        }
        return this.api.respond(requestId, toResult(parsed.format, response));
      }
      case 'action': {
        const started = Date.now();
        const failed = (reason: string): Promise<void> => {
          log(actionRunMessage({ id: parsed.actionId, ok: false, durationMs: Date.now() - started, reason }));
          return this.api.fail(requestId, { errorType: 'Spaceport.ActionFailed', errorMessage: `Action "${parsed.actionId}" failed: ${reason}` });
        };
        const timeoutMs = invocation.deadlineMs - started - ACTION_DEADLINE_MARGIN_MS;
        let response: AppResponse;
        try {
          response = await this.upstream.serve(parsed.request, timeoutMs);
        } catch (error) {
          if (error instanceof AppTimedOut) return failed(`the app did not answer POST ${parsed.request.target} before the invocation's deadline`);
          if (error instanceof AppUnavailable || error instanceof ResponseTooLarge) return failed(error.message);
          throw error;
        }
        const body = response.body.toString('utf8');
        if (response.status >= 400) return failed(`the app answered ${response.status}: ${body.slice(0, 200)}`);
        log(actionRunMessage({ id: parsed.actionId, ok: true, statusCode: response.status, durationMs: Date.now() - started }));
        return this.api.respond(requestId, { statusCode: response.status, body });
      }
    }
  }
}

async function main(): Promise<void> {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    log('AWS_LAMBDA_RUNTIME_API is not set: the adapter must run inside a Lambda execution environment');
    process.exit(1);
  }
  const api = new RuntimeApi(address);
  let config: AdapterConfig;
  let upstream: Upstream;
  try {
    config = readConfig(process.env);
    if (config.run !== undefined) {
      // Loaded only when there is an app to run: a static site has no use for node:child_process (~0.15 MB).
      const { AppServer } = await import('./app-server.js');
      const server = await AppServer.start(config, config.run);
      process.on('exit', () => server.kill());
      process.on('SIGTERM', () => void server.stop(SHUTDOWN_GRACE_MS).then(() => process.exit(0)));
      upstream = server;
    } else {
      const site = new StaticSite(config.staticDir!, config.staticFallback);
      upstream = { serve: (request) => site.serve(request), needsCheck: false, recover: async () => {} };
      process.on('SIGTERM', () => process.exit(0));
    }
  } catch (error) {
    const message = startFailureMessage(error) ?? (error instanceof Error ? error.message : String(error));
    log(startFailureLogLine(error, message));
    await api.initError({ errorType: START_FAILED, errorMessage: message });
    process.exit(1);
  }
  await new Adapter(api, config, upstream).loop();
}

main().catch((error: unknown) => {
  log(`stopping: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
