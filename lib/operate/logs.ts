/**
 * The deployed app's logs from CloudWatch Logs, read as `spaceport dev` prints its own: one stream, every line
 * prefixed with the micro it comes from (`router` for the requests the HTTP API served), in time order.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DeployedAppError, describeAwsError } from './aws-errors';
import type { DeployedApp } from './deployed-app';
import { readLogEvents, renderEvent, ROUTER_SOURCE } from '../handlers/log-lines';

export interface LogsOptions {
  /** Micro names to show, `router` for requests. @default every micro and the router */
  readonly sources?: readonly string[];
  /** Show events from this time on (ms since the epoch). */
  readonly startTime: number;
  /** Keep polling for new events until `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** How often `follow` asks for new events. @default 2000 */
  readonly pollMs?: number;
  /** Receives each line's source and its text, in time order. */
  readonly write: (source: string, text: string, timestamp: Date) => void;
}

/** Prints the app's events from `startTime` on; with `follow`, keeps printing new ones until aborted. */
export async function readLogs(app: DeployedApp, options: LogsOptions): Promise<void> {
  const groups = logGroups(app, options.sources);
  const client = new CloudWatchLogsClient(app.region ? { region: app.region } : {});
  const seen = new Set<string>();
  let startTime = options.startTime;
  try {
    do {
      const batches = await Promise.all(
        groups.map(async ({ source, logGroup }) => (await readLogEvents(client, logGroup, { startTime })).map((event) => ({ source, event }))),
      );
      const events = batches.flat().filter(({ event }) => !seen.has(event.eventId ?? ''));
      events.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0));
      for (const { source, event } of events) {
        seen.add(event.eventId ?? '');
        const text = renderEvent(source, event.message ?? '');
        if (text !== undefined) options.write(source, text, new Date(event.timestamp ?? 0));
        // Ask again from the newest event seen: CloudWatch may still add events at that same millisecond.
        startTime = Math.max(startTime, event.timestamp ?? 0);
      }
      if (!options.follow || options.signal?.aborted) break;
      await sleep(options.pollMs ?? 2000, options.signal);
    } while (!options.signal?.aborted);
  } catch (error) {
    if (error instanceof DeployedAppError || (error as Error).name === 'AbortError') throw error;
    throw new DeployedAppError(describeAwsError(error, `read the logs of '${app.stackName}'`, 'logs:FilterLogEvents'));
  } finally {
    client.destroy();
  }
}

function logGroups(app: DeployedApp, sources: readonly string[] | undefined): { source: string; logGroup: string }[] {
  const all = [
    ...Object.entries(app.micros).map(([source, micro]) => ({ source, logGroup: micro.logGroup })),
    { source: ROUTER_SOURCE, logGroup: app.accessLogGroup },
  ];
  if (!sources || sources.length === 0) return all;
  const unknown = sources.filter((source) => !all.some((group) => group.source === source));
  if (unknown.length > 0) {
    throw new DeployedAppError(
      `'${unknown.join("', '")}' is not a micro of '${app.appName}' (choose from ${all.map((group) => group.source).join(', ')})`,
    );
  }
  return all.filter((group) => sources.includes(group.source));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
