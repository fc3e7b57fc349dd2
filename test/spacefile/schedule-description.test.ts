/** The one encoding of an action's interval in its schedule's description: written by the construct, read by operate and the console. */
import { expect, it } from 'vitest';
import {
  intervalOfScheduleDescription,
  isChangedInConsole,
  scheduleDescription,
  withScheduleInterval,
} from '../../lib/spacefile/schedule-description';

const action = { id: 'tick', name: "Clean: old 'rows'", microName: 'web' };

it('reads back the interval it wrote, whatever the action is called', () => {
  for (const source of ['5 minutes', '1 hour', '0 */2 * * *', '1/5 * * * *']) {
    const description = scheduleDescription(action, source);
    expect(description).toBe(`Space action 'Clean: old 'rows'' (tick) of micro 'web': ${source}`);
    expect(intervalOfScheduleDescription(description)).toBe(source);
  }
});

it('replaces the interval of a description, or adds one to a description that records none', () => {
  const description = scheduleDescription(action, '5 minutes');
  expect(withScheduleInterval(description, '0 10 * * *')).toBe(scheduleDescription(action, '0 10 * * *'));
  expect(withScheduleInterval('nightly backup', '1 day')).toBe('nightly backup: 1 day');
  expect(intervalOfScheduleDescription(withScheduleInterval(undefined, '1 day'))).toBe('1 day');
  expect(intervalOfScheduleDescription('nightly backup')).toBeUndefined();
  expect(intervalOfScheduleDescription(undefined)).toBeUndefined();
});

it('stays within the 512 characters EventBridge Scheduler allows, cutting the name and never the interval', () => {
  const long = { ...action, name: 'n'.repeat(600) };
  const description = scheduleDescription(long, '0 */2 * * *');
  expect(description).toHaveLength(512);
  expect(intervalOfScheduleDescription(description)).toBe('0 */2 * * *');
  expect(intervalOfScheduleDescription(withScheduleInterval(description, '10 minutes'))).toBe('10 minutes');
  expect(withScheduleInterval(description, '10 minutes').length).toBeLessThanOrEqual(512);
});

it("marks a change made in the owner's console before the interval, keeps the mark through later changes, and clears it on request", () => {
  const deployed = scheduleDescription(action, '5 minutes');
  expect(isChangedInConsole(deployed)).toBe(false);
  const marked = withScheduleInterval(deployed, '10 minutes', true);
  expect(marked).toBe(`Space action 'Clean: old 'rows'' (tick) of micro 'web' (changed in the console): 10 minutes`);
  expect(isChangedInConsole(marked)).toBe(true);
  expect(intervalOfScheduleDescription(marked)).toBe('10 minutes');
  expect(withScheduleInterval(marked, '1 hour')).toBe(`Space action 'Clean: old 'rows'' (tick) of micro 'web' (changed in the console): 1 hour`);
  expect(withScheduleInterval(marked, '5 minutes', false)).toBe(deployed);
  expect(isChangedInConsole(undefined)).toBe(false);
  expect(isChangedInConsole('made (changed in the console)')).toBe(true);
  const long = withScheduleInterval(scheduleDescription({ ...action, name: 'n'.repeat(600) }, '1 hour'), '0 */2 * * *', true);
  expect(long).toHaveLength(512);
  expect(isChangedInConsole(long)).toBe(true);
});
