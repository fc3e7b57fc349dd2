/**
 * The app's server as the adapter uses it: started and waited for, sent requests, and restarted after it
 * crashed or stopped accepting connections. A start that fails is a `StartFailure` naming the command, how it
 * ended and the end of its output.
 */
import type { AdapterConfig } from './config';
import type { AppRequest } from './events';
import type { AppResponse } from './results';
import { AppProcess, type ExitStatus } from './app-process';
import { AppClient, AppUnavailable } from './app-client';
import { probe, waitUntilReady } from './readiness';
import { log } from './log';
import { StartFailure } from './start-failure';

/** How long a restart waits for a process that stopped accepting connections to finish exiting. */
const EXIT_WAIT_MS = 100;

function describeExit(exit: ExitStatus): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** A started app: its process, a client to it, and the port it listens on (`$PORT`, or where it chose to). */
interface RunningApp {
  readonly process: AppProcess;
  readonly client: AppClient;
  readonly port: number;
}

async function startApp(config: AdapterConfig, command: string): Promise<RunningApp> {
  const app = new AppProcess(command, config.taskRoot, config.appEnv);
  const outcome = await waitUntilReady(app, config.readiness, config.port, config.initTimeoutMs);
  if (outcome.ready) return { process: app, client: new AppClient(outcome.host, outcome.port), port: outcome.port };
  const what = config.readiness.kind === 'tcp' ? `listening on port ${config.port}` : `answering GET ${config.readiness.path} on port ${config.port}`;
  let summary: string;
  if (outcome.exit !== undefined) {
    summary = `\`${command}\` ${describeExit(outcome.exit)} before ${what}`;
  } else {
    summary = `\`${command}\` was not ${what} within ${config.initTimeoutMs} ms (still running)`;
    await app.stop(500);
  }
  throw new StartFailure(summary, app.outputTail());
}

export class AppServer {
  /** Set after a failed exchange: check the app before the next invocation. */
  private suspect = false;

  private constructor(
    private readonly config: AdapterConfig,
    private readonly command: string,
    private app: RunningApp,
  ) {}

  static async start(config: AdapterConfig, command: string): Promise<AppServer> {
    return new AppServer(config, command, await startApp(config, command));
  }

  get needsCheck(): boolean {
    return this.suspect || this.app.process.hasExited;
  }

  async serve(request: AppRequest, timeoutMs?: number): Promise<AppResponse> {
    if (this.app.process.hasExited) await this.recover();
    try {
      return await this.app.client.send(request, timeoutMs);
    } catch (error) {
      if (error instanceof AppUnavailable) this.suspect = true;
      throw error;
    }
  }

  /** Restarts the app if it exited or no longer accepts connections; throws `StartFailure` if it cannot start. */
  async recover(): Promise<void> {
    this.suspect = false;
    const current = this.app.process;
    if (!current.hasExited && (await probe(this.config.readiness, this.app.port)) !== undefined) return;
    // A crashing app may still be on its way out: wait a moment so the log can say how it ended.
    const exit = await Promise.race([current.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), EXIT_WAIT_MS))]);
    log(`\`${this.command}\` ${exit ? describeExit(exit) : 'stopped accepting connections'}: restarting it`);
    current.kill();
    this.app.client.close();
    this.app = await startApp(this.config, this.command);
  }

  stop(graceMs: number): Promise<void> {
    return this.app.process.stop(graceMs);
  }

  kill(): void {
    this.app.process.kill();
  }
}
