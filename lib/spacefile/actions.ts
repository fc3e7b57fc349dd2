/** `actions` of a micro: scheduled actions, with their intervals parsed once for the cloud and local schedulers. */
import { IntervalError, parseInterval, type Interval } from './interval';
import type { ScheduledAction } from './model';
import type { ValueReader } from './reader';

/** Deta's limits. */
export const MAX_ACTIONS_PER_MICRO = 5;
export const MAX_ACTIONS_PER_APP = 25;
const MAX_DESCRIPTION_LENGTH = 142;

const ACTION_KEYS = ['id', 'name', 'description', 'trigger', 'default_interval', 'path'] as const;

/** An action as read, before the app-wide checks (unique ids and names) that need every micro's actions. */
export interface ActionDraft {
  readonly action: ScheduledAction;
  readonly idReader: ValueReader;
  readonly nameReader: ValueReader;
}

export function readActions(value: ValueReader | undefined, microName: string): ActionDraft[] {
  const items = value?.list() ?? [];
  items.slice(MAX_ACTIONS_PER_MICRO).forEach((item) => {
    item.error(`a micro may declare at most ${MAX_ACTIONS_PER_MICRO} actions`, { found: `${items.length} actions` });
  });
  return items.flatMap((item) => readAction(item, microName) ?? []);
}

function readAction(item: ValueReader, microName: string): ActionDraft | undefined {
  const entry = item.map(ACTION_KEYS);
  if (!entry) return undefined;
  const idReader = entry.required('id', 'a unique action id');
  const nameReader = entry.required('name', 'a unique action name');
  const id = nonEmpty(idReader);
  const name = nonEmpty(nameReader);
  const description = readDescription(entry.optional('description'));
  const trigger = readTrigger(entry.required('trigger', `'schedule'`));
  const interval = readInterval(entry.required('default_interval', 'a rate like "5 minutes" or a cron expression'));
  entry.optional('path')?.warn(`is ignored: an action is always posted to its micro's /__space/v0/actions`);
  if (!idReader || !nameReader || id === undefined || name === undefined || !trigger || !interval) return undefined;
  const action: ScheduledAction = {
    id,
    name,
    ...(description !== undefined && { description }),
    trigger,
    interval,
    microName,
    location: item.location,
  };
  return { action, idReader, nameReader };
}

function nonEmpty(reader: ValueReader | undefined): string | undefined {
  const text = reader?.string();
  if (text === undefined || text.trim() !== '') return text;
  reader?.error('must not be empty');
  return undefined;
}

function readDescription(reader: ValueReader | undefined): string | undefined {
  const text = reader?.string();
  if (text !== undefined && text.length > MAX_DESCRIPTION_LENGTH) {
    reader?.error('is too long', { expected: `at most ${MAX_DESCRIPTION_LENGTH} characters`, found: `${text.length} characters` });
    return undefined;
  }
  return text;
}

function readTrigger(reader: ValueReader | undefined): 'schedule' | undefined {
  const text = reader?.string();
  if (text === undefined) return undefined;
  if (text === 'schedule') return text;
  reader?.error('is not a supported trigger', { expected: "'schedule'", found: `'${text}'` });
  return undefined;
}

function readInterval(reader: ValueReader | undefined): Interval | undefined {
  const text = reader?.string();
  if (text === undefined) return undefined;
  try {
    return parseInterval(text);
  } catch (error) {
    if (!(error instanceof IntervalError)) throw error;
    // The message names the interval and says what is wrong with it.
    reader?.error(error.message);
    return undefined;
  }
}
