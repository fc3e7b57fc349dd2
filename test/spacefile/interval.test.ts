import { describe, expect, it } from 'vitest';
import { IntervalError, parseInterval } from '../../lib/spacefile/interval';

describe('parseInterval: accepted forms and their EventBridge expressions', () => {
  it.each([
    // Every default_interval found in real Spacefiles.
    ['0/5 * * * *', 'cron', 'cron(0/5 * * * ? *)'],
    ['0 */2 * * *', 'cron', 'cron(0 0/2 * * ? *)'],
    ['12 hours', 'rate', 'cron(0 0,12 * * ? *)'],
    ['1/5 * * * *', 'cron', 'cron(1/5 * * * ? *)'],
    ['0/17 * * * *', 'cron', 'cron(0/17 * * * ? *)'],
    ['0 00 * * *', 'cron', 'cron(0 0 * * ? *)'],
    ['0 * * * *', 'cron', 'cron(0 * * * ? *)'],
    ['* * * * *', 'cron', 'cron(* * * * ? *)'],
    // Documented examples and the other syntax Deta accepted.
    ['0 18 * * mon-fri', 'cron', 'cron(0 18 ? * MON-FRI *)'],
    ['0 9 * * 1-5', 'cron', 'cron(0 9 ? * MON-FRI *)'],
    ['0 9 * * SUN', 'cron', 'cron(0 9 ? * SUN *)'],
    ['0 9 * * 7', 'cron', 'cron(0 9 ? * SUN *)'],
    ['0 9 * * 0,7', 'cron', 'cron(0 9 ? * SUN *)'],
    ['0 9 * * 5-7', 'cron', 'cron(0 9 ? * SUN,FRI-SAT *)'],
    ['0 9 * * Mon,wed,FRI', 'cron', 'cron(0 9 ? * MON,WED,FRI *)'],
    ['0 9 * * 0-6', 'cron', 'cron(0 9 * * ? *)'],
    ['10-30/5 * * * *', 'cron', 'cron(10,15,20,25,30 * * * ? *)'],
    ['*/5 * * * *', 'cron', 'cron(0/5 * * * ? *)'],
    ['15 3 1,15 * *', 'cron', 'cron(15 3 1,15 * ? *)'],
    ['0 0 */2 * *', 'cron', 'cron(0 0 1/2 * ? *)'],
    ['0 12 1 jan-mar,OCT *', 'cron', 'cron(0 12 1 1-3,10 ? *)'],
    ['0 0 1 */3 *', 'cron', 'cron(0 0 1 1/3 ? *)'],
    ['0 0 29 feb *', 'cron', 'cron(0 0 29 2 ? *)'],
    ['  30   8 * * *  ', 'cron', 'cron(30 8 * * ? *)'],
    // Rates aligned to the hour or the day become crons; the others stay rates.
    ['1 minute', 'rate', 'cron(* * * * ? *)'],
    ['15 minutes', 'rate', 'cron(0/15 * * * ? *)'],
    ['30 minutes', 'rate', 'cron(0,30 * * * ? *)'],
    ['60 minutes', 'rate', 'cron(0 * * * ? *)'],
    ['1 hour', 'rate', 'cron(0 * * * ? *)'],
    ['2 hours', 'rate', 'cron(0 0/2 * * ? *)'],
    ['24 hours', 'rate', 'cron(0 0 * * ? *)'],
    ['1 day', 'rate', 'cron(0 0 * * ? *)'],
    ['7 minutes', 'rate', 'rate(7 minutes)'],
    ['90 minutes', 'rate', 'rate(90 minutes)'],
    ['5 hours', 'rate', 'rate(5 hours)'],
    ['2 days', 'rate', 'rate(2 days)'],
  ])('%j -> %s %s', (source, kind, expression) => {
    const interval = parseInterval(source);
    expect(interval.source).toBe(source);
    expect(interval.kind).toBe(kind);
    expect(interval.eventBridgeExpression).toBe(expression);
  });
});

describe('parseInterval: rejected forms say why', () => {
  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['1 hours', /rate of 1 takes the singular unit: "1 hour"/],
    ['1 minutes', /"1 minute"/],
    ['2 minute', /plural unit: "2 minutes"/],
    ['3 day', /"3 days"/],
    ['0 minutes', /at least 1/],
    ['-5 minutes', /"-5" is not a whole number/],
    ['1.5 hours', /"1.5" is not a whole number/],
    ['five minutes', /"five" is not a whole number/],
    ['30 seconds', /unit "seconds".*more often than once a minute/],
    ['2 weeks', /unit "weeks" is not minute\(s\), hour\(s\) or day\(s\)/],
    ['*/30 * * * * *', /6 fields.*seconds field is not supported/],
    ['0 * * * ? *', /6 fields/],
    ['0 * * *', /has 4 field\(s\)/],
    ['0 * * * * * *', /has 7 field\(s\)/],
    ['cron(0 12 * * ? *)', /without AWS's cron\(...\)\/rate\(...\) wrapper/],
    ['rate(5 minutes)', /wrapper/],
    ['0 0 1 * mon', /day-of-month "1" and day-of-week "mon" are both set; set one of them to \*/],
    ['0 0 */2 * 1-5', /both set/],
    ['0 0 * * */2', /day-of-week field "\*\/2": steps \(\/\) are not allowed/],
    ['0 0 * * 1-5/2', /steps \(\/\) are not allowed in day-of-week/],
    ['60 * * * *', /minute field "60": 60 is out of range 0-59/],
    ['0 24 * * *', /hour field "24": 24 is out of range 0-23/],
    ['0 0 0 * *', /day-of-month field "0": 0 is out of range 1-31/],
    ['0 0 32 * *', /out of range 1-31/],
    ['0 0 * 13 *', /month field "13": 13 is out of range 1-12/],
    ['0 0 * * 8', /day-of-week field "8": 8 is out of range 0-7/],
    ['0 0 * jna *', /month field "jna": "jna" is not a month name \(jan-dec\) or number 1-12/],
    ['0 0 * * funday', /"funday" is not a day-of-week name \(sun-sat\) or number 0-7/],
    ['0 0 * * monday', /"monday" is not a day-of-week name/],
    ['jan * * * *', /minute field "jan": "jan" is not a number 0-59/],
    ['1,,2 * * * *', /minute field "1,,2": has an empty list item/],
    ['5, * * * *', /empty list item/],
    ['-5 * * * *', /minute field "-5": has an empty value/],
    ['5- * * * *', /has an empty value/],
    ['/5 * * * *', /has an empty value/],
    ['5/ * * * *', /step "" is not a whole number/],
    ['*/0 * * * *', /step 0 must be between 1 and 59/],
    ['*/60 * * * *', /step 60 must be between 1 and 59/],
    ['0 */24 * * *', /step 24 must be between 1 and 23/],
    ['1/2/3 * * * *', /more than one \//],
    ['1-2-3 * * * *', /more than one -/],
    ['30-10 * * * *', /range "30-10" runs backwards/],
    ['0 0 * * sat-sun', /range "sat-sun" runs backwards/],
    ['0 0 ? * *', /"\?" is EventBridge syntax; write \* instead/],
    ['0 0 L * *', /"L" is not a number 1-31/],
    ['0 0 * * 5#2', /"5#2" is not a day-of-week name/],
    ['0 0 31 2 *', /day-of-month "31" never occurs in month "2", so the action would never run/],
    ['0 0 31 apr,jun,sep,nov *', /never occurs/],
  ])('%j', (source, message) => {
    let error: unknown;
    try {
      parseInterval(source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IntervalError);
    expect((error as IntervalError).message).toContain(`interval "${source}": `);
    expect((error as IntervalError).message).toMatch(message);
  });
});

describe('nextFiring', () => {
  const at = (iso: string) => new Date(iso);
  const firings = (source: string, after: string, count: number) => {
    const interval = parseInterval(source);
    const times: string[] = [];
    let t = at(after);
    for (let i = 0; i < count; i++) {
      t = interval.nextFiring(t);
      times.push(t.toISOString());
    }
    return times;
  };

  it('is strictly after the given time and on whole minutes', () => {
    expect(firings('0/15 * * * *', '2024-05-01T10:15:00.000Z', 2)).toEqual(['2024-05-01T10:30:00.000Z', '2024-05-01T10:45:00.000Z']);
    expect(firings('* * * * *', '2024-05-01T10:15:59.999Z', 1)).toEqual(['2024-05-01T10:16:00.000Z']);
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(firings('0 0 29 feb *', '2024-03-01T00:00:00Z', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']);
    expect(firings('30 23 31 * *', '2024-11-30T00:00:00Z', 3)).toEqual([
      '2024-12-31T23:30:00.000Z',
      '2025-01-31T23:30:00.000Z',
      '2025-03-31T23:30:00.000Z',
    ]);
    // 2100 is not a leap year: the next Feb 29 after 2096 is in 2104.
    expect(firings('0 0 29 2 *', '2096-03-01T00:00:00Z', 1)).toEqual(['2104-02-29T00:00:00.000Z']);
  });

  it('treats 0 and 7 as Sunday and picks weekdays in UTC', () => {
    // 2024-06-01 is a Saturday.
    expect(firings('0 8 * * 7', '2024-06-01T00:00:00Z', 1)).toEqual(['2024-06-02T08:00:00.000Z']);
    expect(firings('0 8 * * mon-fri', '2024-06-01T00:00:00Z', 2)).toEqual(['2024-06-03T08:00:00.000Z', '2024-06-04T08:00:00.000Z']);
  });

  it('aligns hour- and day-dividing rates to 00:00 UTC', () => {
    expect(firings('15 minutes', '2024-05-01T10:07:31Z', 2)).toEqual(['2024-05-01T10:15:00.000Z', '2024-05-01T10:30:00.000Z']);
    expect(firings('2 hours', '2024-05-01T23:00:00Z', 1)).toEqual(['2024-05-02T00:00:00.000Z']);
  });

  it('fires other rates at the multiples of their period since the Unix epoch', () => {
    // 2024-01-01T00:00Z is 28,401,120 minutes after the epoch, 6 past a multiple of 7.
    expect(firings('7 minutes', '2024-01-01T00:00:00Z', 3)).toEqual([
      '2024-01-01T00:01:00.000Z',
      '2024-01-01T00:08:00.000Z',
      '2024-01-01T00:15:00.000Z',
    ]);
    // 473,352 hours: 2 past a multiple of 5.
    expect(firings('5 hours', '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-01T03:00:00.000Z', '2024-01-01T08:00:00.000Z']);
    // 19,723 days: odd.
    expect(firings('2 days', '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-02T00:00:00.000Z', '2024-01-04T00:00:00.000Z']);
  });
});

describe('startDate', () => {
  it('puts a rate schedule on the firings of nextFiring: the first at or after the given time', () => {
    const interval = parseInterval('7 minutes');
    expect(interval.startDate(new Date('2024-01-01T00:00:00Z'))?.toISOString()).toBe('2024-01-01T00:01:00.000Z');
    expect(interval.startDate(new Date('2024-01-01T00:01:00Z'))?.toISOString()).toBe('2024-01-01T00:01:00.000Z');
  });

  it('is undefined for schedules written as cron, which need none', () => {
    expect(parseInterval('15 minutes').startDate(new Date())).toBeUndefined();
    expect(parseInterval('0 3 * * *').startDate(new Date())).toBeUndefined();
  });
});
