/**
 * The owner's console under `spaceport dev`: the same pages as in the cloud (lib/console) over what is local: the
 * dev scheduler's actions (pauses and intervals last until spaceport dev stops; the Spacefile stays the schedule),
 * the keys in `.spaceport/api-keys.json`, the local Base and Drive stores, App Actions through the micros' emulated
 * environments, and the dev logger's recent lines.
 */
import type { ApiKeyStore } from '../../auth/api-keys';
import type { ActionRun, ConsoleAction, ConsoleBackend } from '../../console/backend';
import { consoleOverview } from '../../console/overview';
import { UsageError } from '../../core/errors';
import type { DataTarget } from '../../data/transfer';
import { parseInterval } from '../../spacefile/interval';
import type { SpaceAppModel } from '../../spacefile/model';
import type { HttpResponse } from '../http-api-event';
import type { DevLogger } from './logger';
import type { ActionScheduler } from './scheduler';
import type { LocalActionState } from './action-state';

export interface LocalConsoleParts {
  readonly app: SpaceAppModel;
  readonly url: string;
  readonly scheduler: ActionScheduler;
  /** Every action with its state, as `GET /__space/dev/actions` lists it. */
  readonly listActions: () => readonly LocalActionState[];
  /** Runs an action now and records its last run; undefined for an unknown id. */
  readonly runAction: (id: string) => Promise<LocalActionState['lastRun'] | undefined>;
  readonly keys: ApiKeyStore;
  readonly data: DataTarget;
  readonly callMicro: (micro: string, method: 'GET' | 'POST', path: string, body?: unknown) => Promise<HttpResponse>;
  readonly logger: DevLogger;
}

function toRun(run: NonNullable<LocalActionState['lastRun']>): ActionRun {
  return { ...run, at: new Date(run.at) };
}

export function localConsoleBackend(parts: LocalConsoleParts): ConsoleBackend {
  const unknown = (id: string): UsageError => new UsageError(`no action with id '${id}' in ${parts.app.spacefile}`);
  return {
    app: { ...consoleOverview(parts.app), url: parts.url },
    actions: {
      list: async () =>
        parts.listActions().map((action): ConsoleAction => ({
          id: action.id,
          name: action.name,
          micro: action.micro,
          interval: action.interval,
          enabled: !action.paused,
          ...(action.nextRun ? { nextRun: new Date(action.nextRun) } : {}),
          ...(action.lastRun ? { lastRun: toRun(action.lastRun) } : {}),
        })),
      run: async (id) => {
        const run = await parts.runAction(id);
        if (!run) throw unknown(id);
        return toRun(run);
      },
      setEnabled: async (id, enabled) => {
        if (!parts.scheduler.setEnabled(id, enabled)) throw unknown(id);
      },
      setInterval: async (id, interval) => {
        if (!parts.scheduler.setInterval(id, parseInterval(interval))) throw unknown(id);
      },
    },
    keys: parts.keys,
    data: parts.data,
    micros: {
      call: async (micro, method, path, body) => {
        const response = await parts.callMicro(micro, method, path, body);
        const contentType = response.headers.find(([name]) => name === 'content-type')?.[1] ?? 'application/octet-stream';
        return { status: response.statusCode, contentType, body: response.body };
      },
    },
    logs: {
      recent: async ({ limit, source }) => parts.logger.recent(limit, source),
    },
  };
}
