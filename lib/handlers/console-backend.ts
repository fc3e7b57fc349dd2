/**
 * The owner's console in the cloud: the `ConsoleBackend` over the deployed app's own resources, each reached with
 * the console function's least-privilege role (`SpaceConsole`): the API key table, the app's schedule group and
 * micro functions, its Base table and Drive bucket, and its log groups.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ActionRun, ConsoleAction, ConsoleActions, ConsoleApp, ConsoleBackend, ConsoleLogs, LogLine, MicroCaller } from '../console/backend';
import { appActionEvent } from '../core/app-action-event';
import { UsageError } from '../core/errors';
import { DataError } from '../data/errors';
import { dataCatalog, type DataTarget } from '../data/transfer';
import { parseInterval } from '../spacefile/interval';
import { invokeAction, invokeSync } from './action-invoke';
import { type AppSchedules, lastActionRun, NoSuchActionError, readActionSchedules, updateActionSchedule } from './action-schedules';
import { DynamoDbBaseStore } from './dynamodb-base-store';
import { DynamoDbApiKeyStore } from './dynamodb-key-store';
import { readLogEvents, renderEvent, ROUTER_SOURCE } from './log-lines';
import { S3DriveStore } from './s3-drive-store';

/** The deployed app as the console function knows it: fixed at synth, resource names resolved at deploy. */
export interface CloudConsoleConfig {
  /** The overview: the Spacefile's micros as deployed. */
  readonly app: ConsoleApp;
  /** The scheduled actions: their names and micros, which the schedules themselves do not keep. */
  readonly actions: readonly { readonly id: string; readonly name: string; readonly micro: string }[];
  /** The names of the actions' schedules in `scheduleGroup`, resolved at deploy. */
  readonly scheduleNames: readonly string[];
  /** By micro name. */
  readonly micros: Readonly<Record<string, { readonly functionName: string; readonly logGroup: string }>>;
  readonly scheduleGroup?: string;
  /** The HTTP API's access log: the `router` source. */
  readonly accessLogGroup: string;
  readonly keysTable: string;
  /** The app's Base table and Drive bucket; absent for an app deployed with `data: false`. */
  readonly data?: { readonly table: string; readonly bucket: string; readonly projectId: string };
}

export interface CloudConsoleClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly scheduler: SchedulerClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
}

export function cloudConsoleBackend(config: CloudConsoleConfig, clients: CloudConsoleClients, now: () => Date = () => new Date()): ConsoleBackend {
  return {
    app: config.app,
    actions: new ScheduledActions(config, clients, now),
    keys: new DynamoDbApiKeyStore(config.keysTable, clients.dynamodb),
    data: dataTarget(config, clients),
    micros: new LambdaMicroCaller(config, clients.lambda),
    logs: new CloudWatchConsoleLogs(config, clients.logs, now),
  };
}

class ScheduledActions implements ConsoleActions {
  private readonly schedules: AppSchedules;

  constructor(
    private readonly config: CloudConsoleConfig,
    private readonly clients: CloudConsoleClients,
    private readonly now: () => Date,
  ) {
    this.schedules = { client: clients.scheduler, group: config.scheduleGroup, names: config.scheduleNames };
  }

  async list(): Promise<ConsoleAction[]> {
    const now = this.now();
    const schedules = await readActionSchedules(this.schedules);
    return Promise.all(
      schedules.map(async (schedule) => {
        const declared = this.config.actions.find((action) => action.id === schedule.id);
        const micro = declared?.micro ?? this.microOfFunction(schedule.functionName) ?? '?';
        const logGroup = this.config.micros[micro]?.logGroup;
        const run = logGroup ? await lastActionRun(this.clients.logs, logGroup, schedule.id, now) : undefined;
        return {
          id: schedule.id,
          name: declared?.name ?? schedule.id,
          micro,
          interval: schedule.interval?.source ?? schedule.expression,
          enabled: schedule.enabled,
          nextRun: schedule.enabled ? schedule.interval?.nextFiring(now) : undefined,
          lastRun: run && { at: run.at, ok: run.ok, statusCode: run.statusCode, durationMs: run.durationMs, error: run.reason },
        };
      }),
    );
  }

  async run(id: string): Promise<ActionRun> {
    const action = this.config.actions.find((candidate) => candidate.id === id);
    const functionName = action && this.config.micros[action.micro]?.functionName;
    if (!functionName) throw new NoSuchActionError(id);
    const at = this.now();
    const outcome = await invokeAction(this.clients.lambda, functionName, id);
    return outcome.kind === 'ok'
      ? { at, ok: (outcome.statusCode ?? 200) < 400, statusCode: outcome.statusCode, durationMs: outcome.durationMs }
      : { at, ok: false, durationMs: outcome.durationMs, error: `${outcome.errorType}: ${outcome.errorMessage}` };
  }

  /** Marked as changed in the console: `spaceport actions` reports it, `spaceport actions keep` records it. */
  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await updateActionSchedule(this.schedules, id, { enabled, changedInConsole: true });
  }

  async setInterval(id: string, interval: string): Promise<void> {
    const parsed = parseInterval(interval);
    await updateActionSchedule(this.schedules, id, { interval: parsed, changedInConsole: true });
  }

  private microOfFunction(functionName: string | undefined): string | undefined {
    return Object.entries(this.config.micros).find(([, micro]) => micro.functionName === functionName)?.[0];
  }
}

/**
 * A micro's App Actions, reached by invoking its function with the App Action event (the adapter's only way to its
 * `/__space/actions`), answered as the payload 2.0 result the micro's server gave.
 */
class LambdaMicroCaller implements MicroCaller {
  constructor(
    private readonly config: CloudConsoleConfig,
    private readonly lambda: LambdaClient,
  ) {}

  async call(micro: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; contentType: string; body: Buffer }> {
    const functionName = this.config.micros[micro]?.functionName;
    if (!functionName) throw new UsageError(`the app has no micro '${micro}'`);
    const reply = await invokeSync(this.lambda, functionName, appActionEvent(method, path, body));
    const result = reply.payload as
      { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: unknown; errorMessage?: unknown } | string;
    if (reply.functionError || typeof result !== 'object' || result === null || typeof result.statusCode !== 'number') {
      const why = typeof result === 'object' && typeof result?.errorMessage === 'string' ? result.errorMessage : reply.text;
      return {
        status: 502,
        contentType: 'text/plain; charset=utf-8',
        body: Buffer.from(`micro '${micro}' failed: ${reply.functionError ?? 'no response'}: ${why}`),
      };
    }
    const contentType = Object.entries(result.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const payload = typeof result.body === 'string' ? result.body : '';
    return {
      status: result.statusCode,
      contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
      body: Buffer.from(payload, result.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }
}

/** How far back the logs page looks, widening window by window until it has enough lines. */
const LOG_WINDOWS_MS = [15 * 60_000, 2 * 3_600_000, 24 * 3_600_000];

class CloudWatchConsoleLogs implements ConsoleLogs {
  constructor(
    private readonly config: CloudConsoleConfig,
    private readonly logs: CloudWatchLogsClient,
    private readonly now: () => Date,
  ) {}

  async recent(options: { readonly limit: number; readonly source?: string }): Promise<LogLine[]> {
    const groups = [
      ...Object.entries(this.config.micros).map(([source, micro]) => ({ source, logGroup: micro.logGroup })),
      { source: ROUTER_SOURCE, logGroup: this.config.accessLogGroup },
    ].filter((group) => options.source === undefined || group.source === options.source);
    if (groups.length === 0) throw new UsageError(`'${options.source}' is not a micro of this app, nor '${ROUTER_SOURCE}'`);
    const end = this.now().getTime();
    const lines: LogLine[] = [];
    let windowEnd = end;
    for (const span of LOG_WINDOWS_MS) {
      const start = end - span;
      const batches = await Promise.all(
        groups.map(async ({ source, logGroup }) =>
          (await readLogEvents(this.logs, logGroup, { startTime: start, endTime: windowEnd - 1 })).map((event) => ({ source, event })),
        ),
      );
      const found = batches
        .flat()
        .flatMap(({ source, event }) => {
          const message = renderEvent(source, event.message ?? '');
          return message === undefined ? [] : [{ at: new Date(event.timestamp ?? 0), source, message }];
        })
        .sort((a, b) => a.at.getTime() - b.at.getTime());
      // Older windows come later, so their lines go first.
      lines.unshift(...found);
      windowEnd = start;
      if (lines.length >= options.limit) break;
    }
    return lines.slice(-options.limit);
  }
}

/** The app's Bases and Drives; an app deployed with `data: false` has none, and says so when asked. */
function dataTarget(config: CloudConsoleConfig, clients: CloudConsoleClients): DataTarget {
  if (!config.data) return NO_DATA;
  const base = new DynamoDbBaseStore({ client: clients.dynamodb, tableName: config.data.table });
  const drive = new S3DriveStore({ client: clients.s3, bucketName: config.data.bucket });
  return {
    projectId: config.data.projectId,
    base,
    drive,
    catalog: dataCatalog(base, drive),
  };
}

async function noData(): Promise<never> {
  throw new DataError(404, 'This app keeps no data', 'it was deployed with data: false');
}

/** No Base and no Drive: listed as none, and every read or write refused with why. */
const NO_DATA: DataTarget = {
  projectId: '',
  base: { get: noData, putMany: noData, insert: noData, replaceIfVersion: noData, delete: noData, scan: noData },
  drive: { initiate: noData, putPart: noData, complete: noData, abort: noData, get: noData, deleteMany: noData, list: noData },
  catalog: { baseNames: async () => [], driveNames: async () => [] },
};
