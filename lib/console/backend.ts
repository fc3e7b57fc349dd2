/**
 * What the owner's console (`/__space/`) needs from where the app runs. The console's pages, forms and access
 * rules are written once (lib/console) and served by `spaceport dev` and by the console function in the cloud;
 * each place supplies one `ConsoleBackend`: local state files and the dev scheduler, or DynamoDB, S3, EventBridge
 * Scheduler and CloudWatch Logs.
 */
import type { ApiKeyStore } from '../auth/api-keys';
import type { DataTarget } from '../data/transfer';

/** The app as the overview page shows it: fixed at deploy time (the cloud embeds it at synth). */
export interface ConsoleApp {
  readonly name: string;
  /** Where the app answers, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com` or `http://localhost:4200`. */
  readonly url: string;
  readonly micros: readonly ConsoleMicro[];
}

export interface ConsoleMicro {
  readonly name: string;
  /** `/` for the primary, else `/<path>`. */
  readonly path: string;
  readonly primary: boolean;
  readonly engine: string;
  /** The Lambda runtime, e.g. `nodejs22.x`; `static` for static micros. */
  readonly runtime: string;
  /** Public routes relative to the micro's path; empty: private. */
  readonly publicRoutes: readonly string[];
  /** Whether the micro accepts API keys (`presets.api_keys`). */
  readonly apiKeys: boolean;
  /** Whether the micro declares `provide_actions` (App Actions at its `GET /__space/actions`). */
  readonly provideActions: boolean;
}

/** One scheduled action as the actions page shows it. */
export interface ConsoleAction {
  readonly id: string;
  readonly name: string;
  readonly micro: string;
  /** The interval in Space syntax (`5 minutes`, `0 * * * *`). */
  readonly interval: string;
  readonly enabled: boolean;
  /** Next run while enabled. */
  readonly nextRun?: Date;
  readonly lastRun?: ActionRun;
}

export interface ActionRun {
  readonly at: Date;
  readonly ok: boolean;
  /** The app's status code, when it answered. */
  readonly statusCode?: number;
  readonly durationMs: number;
  /** Why a failed run failed. */
  readonly error?: string;
}

export interface ConsoleActions {
  list(): Promise<ConsoleAction[]>;
  /** Runs the action now, as its schedule would, and waits for the outcome. */
  run(id: string): Promise<ActionRun>;
  /** Pauses (false) or resumes (true) the schedule. */
  setEnabled(id: string, enabled: boolean): Promise<void>;
  /** A new interval in Space syntax; throws a `UsageError` naming what is wrong with it. */
  setInterval(id: string, interval: string): Promise<void>;
}

/**
 * Calls a micro with the internal key, as Space called a micro's App Actions: `GET /__space/actions` to list them,
 * `POST <action path>` with the form's JSON to run one.
 */
export interface MicroCaller {
  call(micro: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; contentType: string; body: Buffer }>;
}

export interface LogLine {
  readonly at: Date;
  /** A micro's name, or `router`. */
  readonly source: string;
  readonly message: string;
}

export interface ConsoleLogs {
  /** The most recent lines, oldest first, at most `limit`, optionally of one source. */
  recent(options: { readonly limit: number; readonly source?: string }): Promise<LogLine[]>;
}

export interface ConsoleBackend {
  readonly app: ConsoleApp;
  readonly actions: ConsoleActions;
  readonly keys: ApiKeyStore;
  /** The app's Bases and Drives, through the same semantics the SDKs' API uses. */
  readonly data: DataTarget;
  readonly micros: MicroCaller;
  readonly logs: ConsoleLogs;
}
