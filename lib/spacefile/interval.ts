/**
 * `default_interval` of a scheduled action: parsed once into one schedule that gives both the EventBridge
 * Scheduler expression (cloud) and the next firing times (local scheduler), so both fire at the same minutes (UTC).
 *
 * Deta accepted rates (`N minute|minutes|hour|hours|day|days`) and 5-field cron. Cron is parsed into the set of
 * allowed values of each field; the EventBridge expression is formatted from those sets and `nextFiring` walks
 * them, so the two cannot disagree.
 *
 * Rates fire at the whole multiples of their period since the Unix epoch (a midnight UTC), cloud and local alike,
 * whenever either was started. A rate whose period divides an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes)
 * or is a whole number of hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24 hours, 1 day) is emitted as the cron of
 * those minutes (`15 minutes` -> `cron(0/15 * * * ? *)`, `2 hours` -> `cron(0 0/2 * * ? *)`). EventBridge counts a
 * `rate(...)` from the schedule's StartDate (else its creation), so the rates no cron expresses (`7 minutes`,
 * `5 hours`, `2 days`) stay `rate(...)` with a StartDate on that grid (`startDate`), which `SpaceAction` sets.
 */
export interface Interval {
  /** The interval as written in the Spacefile, e.g. `0/15 * * * *` or `5 minutes`. */
  readonly source: string;
  readonly kind: 'rate' | 'cron';
  /** EventBridge Scheduler expression, e.g. `cron(0/15 * * * ? *)` or `rate(7 minutes)` (UTC). */
  readonly eventBridgeExpression: string;
  /** The first firing strictly after `after` (UTC). */
  nextFiring(after: Date): Date;
  /**
   * The StartDate a `rate(...)` schedule needs to fire when `nextFiring` says: the first firing at or after
   * `notBefore`. Undefined for a cron, which fires at the same minutes without one.
   */
  startDate(notBefore: Date): Date | undefined;
}

/** A `default_interval` Deta would have rejected; the message names the interval, the field and the reason. */
export class IntervalError extends Error {
  override name = 'IntervalError';
}

/** Allowed values of each field, sorted; day-of-week is 0-6 with Sunday 0. At least one day field is full. */
interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  readonly daysOfWeek: readonly number[];
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for the values min, min+1, ... (lower case). */
  readonly names?: readonly string[];
  readonly allowsStep: boolean;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, allowsStep: true };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, allowsStep: true };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, allowsStep: true };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, allowsStep: true };
// 7 is a second Sunday; EventBridge has no step in day-of-week, and Deta allowed none either.
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, allowsStep: false };
const CRON_FIELDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const CRON_SHAPE = '5 cron fields (minute hour day-of-month month day-of-week)';

/** Longest month lengths, February counting its leap day. */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const MINUTE_MS = 60_000;
const UNIT_MINUTES = { minute: 1, hour: 60, day: 1440 } as const;
type RateUnit = keyof typeof UNIT_MINUTES;

export function parseInterval(source: string): Interval {
  const fail = (reason: string): never => {
    throw new IntervalError(`interval "${source}": ${reason}`);
  };
  const text = source.trim();
  if (text === '') fail(`is empty; write a rate like "5 minutes" or ${CRON_SHAPE} like "0/15 * * * *"`);
  if (/^(cron|rate)\(/i.test(text)) {
    fail(`write the interval without AWS's cron(...)/rate(...) wrapper: a rate like "5 minutes" or ${CRON_SHAPE}`);
  }
  const parts = text.split(/\s+/);
  if (parts.length === 2) return parseRate(source, parts[0], parts[1], fail);
  if (parts.length === 6) {
    fail(
      `has 6 fields; write ${CRON_SHAPE}: a seconds field is not supported (nothing runs more often than once a minute) and there is no year field`,
    );
  }
  if (parts.length !== 5) fail(`has ${parts.length} field(s); write a rate like "5 minutes" or ${CRON_SHAPE}`);
  return cronInterval(source, 'cron', parseCron(parts, fail));
}

function parseRate(source: string, count: string, unitText: string, fail: (reason: string) => never): Interval {
  if (!/^\d+$/.test(count)) fail(`"${count}" is not a whole number; write a rate like "5 minutes"`);
  const value = Number(count);
  if (value < 1) fail('a rate must be at least 1');
  const unitMatch = /^(minute|hour|day)(s?)$/i.exec(unitText);
  if (unitMatch === null) {
    const tooFast = /^sec/i.test(unitText) ? ' (nothing runs more often than once a minute)' : '';
    return fail(`unit "${unitText}" is not minute(s), hour(s) or day(s)${tooFast}`);
  }
  const unit = unitMatch[1].toLowerCase() as RateUnit;
  const plural = unitMatch[2] !== '';
  if (value === 1 && plural) fail(`a rate of 1 takes the singular unit: "1 ${unit}"`);
  if (value > 1 && !plural) fail(`a rate above 1 takes the plural unit: "${value} ${unit}s"`);
  const periodMinutes = value * UNIT_MINUTES[unit];
  if (!Number.isSafeInteger(periodMinutes * MINUTE_MS)) fail(`${value} ${unit}s is too long a rate`);

  const aligned = alignedRateFields(periodMinutes);
  if (aligned !== undefined) return cronInterval(source, 'rate', aligned);

  const periodMs = periodMinutes * MINUTE_MS;
  return {
    source,
    kind: 'rate',
    eventBridgeExpression: `rate(${value} ${unit}${plural ? 's' : ''})`,
    nextFiring: (after: Date) => new Date((Math.floor(after.getTime() / periodMs) + 1) * periodMs),
    startDate: (notBefore: Date) => new Date(Math.ceil(notBefore.getTime() / periodMs) * periodMs),
  };
}

/** The cron equivalent of a rate that repeats identically every hour or every day from 00:00 UTC, if any. */
function alignedRateFields(periodMinutes: number): CronFields | undefined {
  const everyDay = { daysOfMonth: span(1, 31), months: span(1, 12), daysOfWeek: span(0, 6) };
  if (60 % periodMinutes === 0) return { minutes: span(0, 59, periodMinutes), hours: span(0, 23), ...everyDay };
  if (periodMinutes % 60 === 0 && 1440 % periodMinutes === 0) {
    return { minutes: [0], hours: span(0, 23, periodMinutes / 60), ...everyDay };
  }
  return undefined;
}

function cronInterval(source: string, kind: Interval['kind'], fields: CronFields): Interval {
  return {
    source,
    kind,
    eventBridgeExpression: eventBridgeCron(fields),
    nextFiring: (after: Date) => nextCronFiring(fields, after),
    startDate: () => undefined,
  };
}

// ---- 5-field cron: parse into value sets -------------------------------------------------------------------

function parseCron(parts: readonly string[], fail: (reason: string) => never): CronFields {
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = CRON_FIELDS.map((spec, i) =>
    parseField(spec, parts[i], (reason) => fail(`${spec.name} field "${parts[i]}": ${reason}`)),
  );
  const [, , domText, monthText, dowText] = parts;
  // Deta's rule (standard cron would OR the two fields, EventBridge forbids setting both).
  if (domText !== '*' && dowText !== '*') {
    fail(`day-of-month "${domText}" and day-of-week "${dowText}" are both set; set one of them to *`);
  }
  if (!months.some((month) => daysOfMonth[0] <= MAX_DAYS_IN_MONTH[month - 1])) {
    fail(`day-of-month "${domText}" never occurs in month "${monthText}", so the action would never run`);
  }
  // Sunday is both 0 and 7.
  const days = [...new Set(daysOfWeek.map((day) => day % 7))].sort((a, b) => a - b);
  return { minutes, hours, daysOfMonth, months, daysOfWeek: days };
}

/** The sorted allowed values of one field: a list of `*`, `v`, `a-b`, each optionally with `/step`. */
function parseField(spec: FieldSpec, text: string, fail: (reason: string) => never): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail('has an empty list item');
    if (item === '?') fail('"?" is EventBridge syntax; write * instead');
    const [range, stepText, ...extraSteps] = item.split('/');
    if (extraSteps.length > 0) fail(`"${item}" has more than one /`);
    let step = 1;
    if (stepText !== undefined) {
      if (!spec.allowsStep) fail(`steps (/) are not allowed in ${spec.name}; list the days instead, e.g. mon,wed,fri`);
      if (!/^\d+$/.test(stepText)) fail(`step "${stepText}" is not a whole number`);
      step = Number(stepText);
      const longest = spec.max - spec.min;
      if (step < 1 || step > longest) fail(`step ${step} must be between 1 and ${longest}`);
    }
    let first = spec.min;
    let last = spec.max;
    if (range !== '*') {
      const [start, end, ...extraEnds] = range.split('-');
      if (extraEnds.length > 0) fail(`"${range}" has more than one -`);
      first = fieldValue(spec, start, fail);
      // `a/step` runs from a to the end of the field, as in `0/15`.
      last = end !== undefined ? fieldValue(spec, end, fail) : stepText !== undefined ? spec.max : first;
      if (first > last) fail(`range "${range}" runs backwards; write the smaller value first`);
    }
    for (const value of span(first, last, step)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function fieldValue(spec: FieldSpec, token: string, fail: (reason: string) => never): number {
  const bounds = `${spec.min}-${spec.max}`;
  if (token === '') fail('has an empty value');
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) fail(`${value} is out of range ${bounds}`);
    return value;
  }
  const index = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  if (spec.names === undefined) return fail(`"${token}" is not a number ${bounds}`);
  const names = `${spec.names[0]}-${spec.names[spec.names.length - 1]}`;
  return fail(`"${token}" is not a ${spec.name} name (${names}) or number ${bounds}`);
}

// ---- EventBridge output ------------------------------------------------------------------------------------

/** `cron(min hour dom month dow year)`: one of dom/dow is `?`, day-of-week uses the names SUN-SAT. */
function eventBridgeCron(fields: CronFields): string {
  const everyDayOfMonth = fields.daysOfMonth.length === 31;
  const everyDayOfWeek = fields.daysOfWeek.length === 7;
  const dayOfMonth = !everyDayOfMonth ? formatField(DAY_OF_MONTH, fields.daysOfMonth) : everyDayOfWeek ? '*' : '?';
  const dayOfWeek = everyDayOfMonth && !everyDayOfWeek ? formatRuns(fields.daysOfWeek, (d) => DAY_NAMES[d].toUpperCase()) : '?';
  const minute = formatField(MINUTE, fields.minutes);
  const hour = formatField(HOUR, fields.hours);
  return `cron(${minute} ${hour} ${dayOfMonth} ${formatField(MONTH, fields.months)} ${dayOfWeek} *)`;
}

/**
 * `*`, `start/step` when the values step evenly to the end of the field (AWS documents steps only in that
 * form, never as a star followed by a step), else a list of values and ranges.
 */
function formatField(spec: FieldSpec, values: readonly number[]): string {
  if (values.length === spec.max - spec.min + 1) return '*';
  const step = values[1] - values[0];
  const stepsToEnd =
    values.length >= 3 && step > 1 && values.every((value, i) => value === values[0] + i * step) && values[values.length - 1] + step > spec.max;
  return stepsToEnd ? `${values[0]}/${step}` : formatRuns(values, String);
}

/** Consecutive values as `a-b`, joined by commas. */
function formatRuns(values: readonly number[], label: (value: number) => string): string {
  const runs: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    runs.push(j > i ? `${label(values[i])}-${label(values[j])}` : label(values[i]));
    i = j + 1;
  }
  return runs.join(',');
}

// ---- Next firing -------------------------------------------------------------------------------------------

/**
 * Skips whole months, days and hours that cannot match, then picks the minute. Terminates because parsing
 * ensured some allowed day exists in some allowed month (at worst Feb 29, within 8 years).
 */
function nextCronFiring(fields: CronFields, after: Date): Date {
  let t = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  for (;;) {
    const [year, month, day, hour] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()];
    if (!fields.months.includes(month + 1)) {
      t = utc(year, month + 1, 1);
    } else if (!fields.daysOfMonth.includes(day) || !fields.daysOfWeek.includes(t.getUTCDay())) {
      t = utc(year, month, day + 1);
    } else if (!fields.hours.includes(hour)) {
      t = utc(year, month, day, hour + 1);
    } else {
      const minute = fields.minutes.find((m) => m >= t.getUTCMinutes());
      if (minute !== undefined) return utc(year, month, day, hour, minute);
      t = utc(year, month, day, hour + 1);
    }
  }
}

/** Date.UTC normalises overflow (month 12, day 32, hour 24) into the next year, month or day. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month, day, hour, minute));
}

function span(first: number, last: number, step = 1): number[] {
  const values: number[] = [];
  for (let value = first; value <= last; value += step) values.push(value);
  return values;
}
