import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/local/dev/clock';
import { ActionScheduler } from '../../lib/local/dev/scheduler';
import { FakeClock } from './fake-clock';
import { action, everyMinutes } from './model-helpers';

const START = Date.UTC(2024, 0, 1, 12, 0, 30);

describe('ActionScheduler', () => {
  it('fires each action at the minutes its interval gives', () => {
    const clock = new FakeClock(START);
    const fired: string[] = [];
    const scheduler = new ActionScheduler([action('tick', 'web', everyMinutes(1)), action('slow', 'api', everyMinutes(5))], {
      clock,
      fire: (a) => fired.push(`${a.id}@${clock.now().toISOString().slice(11, 16)}`),
    });
    scheduler.start();
    expect(scheduler.upcoming().map((f) => f.next.toISOString())).toEqual(['2024-01-01T12:01:00.000Z', '2024-01-01T12:05:00.000Z']);
    clock.advance(5 * 60_000);
    expect(fired.sort()).toEqual(['slow@12:05', 'tick@12:01', 'tick@12:02', 'tick@12:03', 'tick@12:04', 'tick@12:05']);
    scheduler.stop();
    clock.advance(10 * 60_000);
    expect(fired).toHaveLength(6);
  });

  it('fires a missed action once after the clock jumps, then continues on schedule', () => {
    let now = START;
    const timers: Array<() => void> = [];
    const jumpyClock: Clock = {
      now: () => new Date(now),
      setTimer: (callback) => timers.push(callback),
      clearTimer: () => {},
    };
    const fired: number[] = [];
    const scheduler = new ActionScheduler([action('tick', 'web', everyMinutes(1))], { clock: jumpyClock, fire: () => fired.push(now) });
    scheduler.start();
    now += 3 * 60 * 60_000; // the laptop slept three hours
    timers.shift()!();
    expect(fired).toHaveLength(1);
    expect(scheduler.upcoming()[0].next.getTime()).toBe(Date.UTC(2024, 0, 1, 15, 1));
  });

  it('runs an action at a new interval from the next firing of that interval, paused or not', () => {
    const clock = new FakeClock(START);
    const fired: string[] = [];
    const scheduler = new ActionScheduler([action('tick', 'web', everyMinutes(1))], {
      clock,
      fire: () => fired.push(clock.now().toISOString().slice(11, 16)),
    });
    scheduler.start();
    expect(scheduler.setInterval('tick', everyMinutes(15))).toBe(true);
    expect(scheduler.upcoming()[0]).toMatchObject({ interval: { source: '*/15 * * * *' }, next: new Date('2024-01-01T12:15:00.000Z') });
    clock.advance(30 * 60_000);
    expect(fired).toEqual(['12:15', '12:30']);
    scheduler.setEnabled('tick', false);
    expect(scheduler.setInterval('tick', everyMinutes(5))).toBe(true);
    expect(scheduler.upcoming()[0]).toMatchObject({ paused: true, next: undefined, interval: { source: '*/5 * * * *' } });
    scheduler.setEnabled('tick', true);
    expect(scheduler.upcoming()[0].next).toEqual(new Date('2024-01-01T12:35:00.000Z'));
    expect(scheduler.setInterval('nope', everyMinutes(5))).toBe(false);
    scheduler.stop();
  });
});
