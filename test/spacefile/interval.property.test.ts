/**
 * Property tests: for random valid 5-field crons, the emitted EventBridge expression (run through a small
 * EventBridge evaluator written here) and `nextFiring` both fire exactly when cron-parser fires the original;
 * rates fire every period, aligned as documented in the module.
 */
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalError, parseInterval } from '../../lib/spacefile/interval';

const RUNS = { seed: 20240501, numRuns: 500 };
const FIRINGS = 20;
const MINUTE_MS = 60_000;

// ---- A minimal EventBridge cron evaluator (6 fields, `?`, 1-7 = SUN-SAT, names; no L/W/#) --------------------

const EB_MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const EB_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

// The wildcards AWS documents for each field (without L, W and #, which we never emit).
const EB_FIELDS = [
  { min: 0, max: 59, pattern: /^[\d,\-*/]+$/ },
  { min: 0, max: 23, pattern: /^[\d,\-*/]+$/ },
  { min: 1, max: 31, pattern: /^[\d,\-*?/]+$/ },
  { min: 1, max: 12, pattern: /^[\dA-Z,\-*/]+$/, names: EB_MONTHS },
  { min: 1, max: 7, pattern: /^[\dA-Z,\-*?]+$/, names: EB_DAYS },
  { min: 1970, max: 2199, pattern: /^[\d,\-*/]+$/ },
];

type Matcher = (value: number) => boolean;

function ebField(text: string, field: (typeof EB_FIELDS)[number]): Matcher {
  expect(text).toMatch(field.pattern);
  // AWS documents increments as `start/step`; keep to that form.
  expect(text).not.toMatch(/\*\//);
  if (text === '?' || text === '*') return () => true;
  const allowed = new Set<number>();
  const value = (token: string) => {
    const named = field.names?.indexOf(token) ?? -1;
    const number = named >= 0 ? field.min + named : Number(token);
    expect(number).toBeGreaterThanOrEqual(field.min);
    expect(number).toBeLessThanOrEqual(field.max);
    return number;
  };
  for (const item of text.split(',')) {
    const [range, step] = item.split('/');
    const [start, end] = range.split('-');
    const first = value(start);
    const last = end !== undefined ? value(end) : step !== undefined ? field.max : first;
    for (let v = first; v <= last; v += step === undefined ? 1 : Number(step)) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

/** Firing times (UTC) of an EventBridge `cron(...)` strictly after `after`. */
function eventBridgeFirings(expression: string, after: Date, count: number): Date[] {
  const match = /^cron\((.*)\)$/.exec(expression);
  expect(match).not.toBeNull();
  const parts = match![1].split(' ');
  expect(parts).toHaveLength(6);
  // EventBridge requires `?` in exactly one of day-of-month and day-of-week.
  expect([parts[2], parts[4]].filter((p) => p === '?')).toHaveLength(1);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = parts.map((p, i) => ebField(p, EB_FIELDS[i]));

  const firings: Date[] = [];
  const firstDay = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate());
  for (let dayStart = firstDay; firings.length < count; dayStart += 24 * 60 * MINUTE_MS) {
    const day = new Date(dayStart);
    const dayMatches = year(day.getUTCFullYear()) && month(day.getUTCMonth() + 1) && dayOfMonth(day.getUTCDate()) && dayOfWeek(day.getUTCDay() + 1);
    if (!dayMatches) continue;
    for (let h = 0; h < 24; h++) {
      for (let m = 0; m < 60; m++) {
        const time = dayStart + (h * 60 + m) * MINUTE_MS;
        if (hour(h) && minute(m) && time > after.getTime() && firings.length < count) firings.push(new Date(time));
      }
    }
  }
  return firings;
}

// ---- Generators of valid Deta crons -------------------------------------------------------------------------

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface GenField {
  min: number;
  max: number;
  names?: string[];
  steps: boolean;
}

const randomCase = (name: string) => fc.constantFrom(name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1));

function valueText(field: GenField, value: number): fc.Arbitrary<string> {
  const name = field.names?.[value - field.min];
  const number = fc.constantFrom(String(value), String(value).padStart(2, '0'));
  return name === undefined ? number : fc.oneof(number, randomCase(name));
}

function item(field: GenField): fc.Arbitrary<string> {
  const value = fc.integer({ min: field.min, max: field.max });
  const range = fc
    .tuple(value, value)
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]))
    .chain(([a, b]) => fc.tuple(valueText(field, a), valueText(field, b)).map(([x, y]) => `${x}-${y}`));
  const single = value.chain((v) => valueText(field, v));
  if (!field.steps) return fc.oneof(single, range);
  const step = fc.integer({ min: 1, max: field.max - field.min }).map(String);
  return fc.oneof(
    single,
    range,
    step.map((s) => `*/${s}`),
    fc.tuple(single, step).map(([v, s]) => `${v}/${s}`),
    fc.tuple(range, step).map(([r, s]) => `${r}/${s}`),
  );
}

const field = (spec: GenField) =>
  fc.oneof(
    fc.constant('*'),
    fc.array(item(spec), { minLength: 1, maxLength: 3 }).map((items) => items.join(',')),
  );

const minuteField = field({ min: 0, max: 59, steps: true });
const hourField = field({ min: 0, max: 23, steps: true });
const dayOfMonthField = field({ min: 1, max: 31, steps: true });
const monthField = field({ min: 1, max: 12, names: MONTH_NAMES, steps: true });
// 7 is Sunday again; it has no name of its own.
const dayOfWeekField = field({ min: 0, max: 7, names: DAY_NAMES, steps: false });
// Deta allows at most one of the two day fields to be set.
const dayFields = fc.oneof(fc.tuple(dayOfMonthField, fc.constant('*')), fc.tuple(fc.constant('*'), dayOfWeekField));
const validCron = fc
  .tuple(minuteField, hourField, dayFields, monthField)
  .map(([minute, hour, [dom, dow], month]) => `${minute} ${hour} ${dom} ${month} ${dow}`);

const start = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true });

/** cron-parser's firings, or undefined for lists it refuses because their items overlap (e.g. `1-5,3`). */
function cronParserFirings(source: string, after: Date, count: number): string[] | undefined {
  let expression;
  try {
    expression = CronExpressionParser.parse(source, { tz: 'UTC', currentDate: after });
  } catch (error) {
    expect((error as Error).message).toMatch(/duplicate values/);
    return undefined;
  }
  return Array.from({ length: count }, () => expression.next().toDate().toISOString());
}

function nextFirings(source: string, after: Date, count: number): string[] {
  const interval = parseInterval(source);
  const times: string[] = [];
  for (let t = after; times.length < count;) {
    t = interval.nextFiring(t);
    times.push(t.toISOString());
  }
  return times;
}

/** Parses, or returns undefined when the crons' day and month can never coincide (e.g. 31 with feb only). */
function parseOrNever(source: string) {
  try {
    return parseInterval(source);
  } catch (error) {
    expect(error).toBeInstanceOf(IntervalError);
    expect((error as Error).message).toMatch(/never occurs/);
    return undefined;
  }
}

describe('cron intervals', () => {
  it('fire, on EventBridge and locally, exactly when cron-parser fires the original 5-field cron', () => {
    let comparedWithCronParser = 0;
    fc.assert(
      fc.property(validCron, start, (source, after) => {
        const interval = parseOrNever(source);
        if (interval === undefined) return;
        const local = nextFirings(source, after, FIRINGS);
        const eventBridge = eventBridgeFirings(interval.eventBridgeExpression, after, FIRINGS);
        expect(eventBridge.map((d) => d.toISOString())).toEqual(local);
        const reference = cronParserFirings(source, after, FIRINGS);
        if (reference === undefined) return;
        expect(local).toEqual(reference);
        comparedWithCronParser++;
      }),
      RUNS,
    );
    // Overlapping lists and never-firing dates are rare enough that most runs are checked against cron-parser.
    expect(comparedWithCronParser).toBeGreaterThan(RUNS.numRuns / 2);
  });
});

describe('rate intervals', () => {
  const UNITS = { minute: 1, hour: 60, day: 1440 } as const;
  const rate = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 200 }), fc.constant('minute' as const)),
    fc.tuple(fc.integer({ min: 1, max: 48 }), fc.constant('hour' as const)),
    fc.tuple(fc.integer({ min: 1, max: 10 }), fc.constant('day' as const)),
  );

  it('fire every period, cloud and local alike', () => {
    fc.assert(
      fc.property(rate, start, ([value, unit], after) => {
        const source = `${value} ${unit}${value === 1 ? '' : 's'}`;
        const periodMs = value * UNITS[unit] * MINUTE_MS;
        const interval = parseInterval(source);
        const times = nextFirings(source, after, FIRINGS).map((iso) => Date.parse(iso));

        // The first multiple of the period since the Unix epoch after `after`, then every period.
        expect(times[0]).toBeGreaterThan(after.getTime());
        expect(times[0] % periodMs).toBe(0);
        expect(times[0] - periodMs).toBeLessThanOrEqual(after.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(periodMs);

        if (interval.eventBridgeExpression.startsWith('cron(')) {
          // Exactly what EventBridge runs.
          const eventBridge = eventBridgeFirings(interval.eventBridgeExpression, after, FIRINGS);
          expect(eventBridge.map((d) => d.getTime())).toEqual(times);
          expect(interval.startDate(after)).toBeUndefined();
        } else {
          // EventBridge counts the rate from its StartDate, which lies on the same firings.
          expect(interval.eventBridgeExpression).toBe(`rate(${source})`);
          const startDate = interval.startDate(new Date(after.getTime() + 1));
          expect(startDate?.getTime()).toBe(times[0]);
        }
      }),
      RUNS,
    );
  });
});
