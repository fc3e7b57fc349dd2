/**
 * A deployed app's CloudWatch Logs events read as `spaceport dev` prints its own lines: the app's output as it wrote
 * it, Lambda's JSON records reduced to what matters. Shared by `spaceport logs` and the owner's console.
 */
import { type CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';

/** Where requests are logged: the HTTP API's access log. */
export const ROUTER_SOURCE = 'router';

/**
 * One event as a line: the app's own output as it wrote it, Lambda's JSON records reduced to what `spaceport dev`
 * shows (cold starts, failures, a request's status), and the routine platform records dropped.
 */
export function renderEvent(source: string, message: string): string | undefined {
  const text = message.replace(/\r?\n$/, '');
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
    record = parsed as Record<string, unknown>;
  } catch {
    return /^(START|END) RequestId:/.test(text) ? undefined : text;
  }
  if (source === ROUTER_SOURCE)
    return `${String(record.httpMethod ?? '?')} ${String(record.resourcePath ?? record.routeKey ?? '')} -> ${String(record.status ?? '?')}`;
  const details = (record.record ?? {}) as Record<string, unknown>;
  switch (record.type) {
    case 'platform.initStart':
      return `cold start (${String(details.runtimeVersion ?? details.runtime ?? 'runtime')})`;
    case 'platform.report': {
      const metrics = (details.metrics ?? {}) as Record<string, unknown>;
      const init = metrics.initDurationMs !== undefined ? `, init ${String(metrics.initDurationMs)} ms` : '';
      const status = details.status && details.status !== 'success' ? ` ${String(details.status).toUpperCase()}` : '';
      return `invocation${status}: ${String(metrics.durationMs ?? '?')} ms${init}, ${String(metrics.maxMemoryUsedMB ?? '?')} MB`;
    }
    case 'platform.start':
    case 'platform.runtimeDone':
    case 'platform.initRuntimeDone':
    case 'platform.initReport':
    case 'platform.extension':
    case 'platform.telemetrySubscription':
      return undefined;
  }
  if (typeof record.message === 'string') {
    const level = typeof record.level === 'string' && record.level !== 'INFO' ? `${record.level} ` : '';
    return `${level}${record.message.replace(/\r?\n$/, '')}`;
  }
  return text;
}

/** Which events `readLogEvents` reads: from `startTime` (ms since the epoch), to `endTime`, matching `filterPattern`. */
export interface LogEventRange {
  readonly startTime: number;
  readonly endTime?: number;
  /** CloudWatch Logs' filter pattern syntax (a quoted phrase matches events holding it). */
  readonly filterPattern?: string;
}

/** Every event of `logGroupName` in `range`, all pages read. */
export async function readLogEvents(client: CloudWatchLogsClient, logGroupName: string, range: LogEventRange): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new FilterLogEventsCommand({ logGroupName, ...range, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
