/**
 * The local counterpart of EventBridge Scheduler: fires every scheduled action at the minutes its parsed
 * interval gives (UTC), the same `Interval` the cloud schedule expression comes from.
 */
import type { Interval } from '../../spacefile/interval';
import type { ScheduledAction } from '../../spacefile/model';
import { type Clock, systemClock } from './clock';

/** Timers longer than this re-check the clock (Node timers overflow past ~24.8 days, laptops sleep). */
const MAX_TIMER_MS = 60 * 60 * 1000;

export interface SchedulerOptions {
  /** Invokes the action; the scheduler does not wait for it before arming the next firing. */
  readonly fire: (action: ScheduledAction) => void;
  readonly clock?: Clock;
}

export interface ScheduledFiring {
  readonly action: ScheduledAction;
  /** The interval it runs at: the Spacefile's, or the one the owner set in the console. */
  readonly interval: Interval;
  /** Undefined while the action is paused. */
  readonly next?: Date;
  readonly paused: boolean;
}

export class ActionScheduler {
  private readonly clock: Clock;
  private readonly next = new Map<string, Date>();
  private readonly timers = new Map<string, unknown>();
  private readonly paused = new Set<string>();
  /** Intervals the owner set in the console: until spaceport dev stops, the Spacefile stays the schedule. */
  private readonly intervals = new Map<string, Interval>();
  private running = false;

  constructor(
    private readonly actions: readonly ScheduledAction[],
    private readonly options: SchedulerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.running = true;
    for (const action of this.actions) if (!this.paused.has(action.id)) this.armNext(action);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers.values()) this.clock.clearTimer(timer);
    this.timers.clear();
    this.next.clear();
  }

  /**
   * Pauses (`enabled: false`) or resumes an action, like `spaceport actions pause|resume` does to a deployed
   * schedule; a resumed action fires at its next interval minute. False for an unknown id.
   */
  setEnabled(id: string, enabled: boolean): boolean {
    const action = this.actions.find((candidate) => candidate.id === id);
    if (!action) return false;
    if (enabled && this.paused.delete(id) && this.running) this.armNext(action);
    if (!enabled && !this.paused.has(id)) {
      this.paused.add(id);
      const timer = this.timers.get(id);
      if (timer !== undefined) this.clock.clearTimer(timer);
      this.timers.delete(id);
      this.next.delete(id);
    }
    return true;
  }

  /** Runs action `id` at `interval` from now on (its next firing is recomputed); false for an unknown id. */
  setInterval(id: string, interval: Interval): boolean {
    const action = this.actions.find((candidate) => candidate.id === id);
    if (!action) return false;
    this.intervals.set(id, interval);
    const timer = this.timers.get(id);
    if (timer !== undefined) {
      this.clock.clearTimer(timer);
      this.armNext(action);
    }
    return true;
  }

  /** Each action with its next firing time (none while paused), in Spacefile order. */
  upcoming(): ScheduledFiring[] {
    return this.actions.flatMap((action) => {
      const paused = this.paused.has(action.id);
      const next = this.next.get(action.id);
      return paused || next ? [{ action, interval: this.intervalOf(action), next, paused }] : [];
    });
  }

  private intervalOf(action: ScheduledAction): Interval {
    return this.intervals.get(action.id) ?? action.interval;
  }

  private armNext(action: ScheduledAction): void {
    this.arm(action, this.intervalOf(action).nextFiring(this.clock.now()));
  }

  private arm(action: ScheduledAction, at: Date): void {
    this.next.set(action.id, at);
    const delay = Math.min(Math.max(0, at.getTime() - this.clock.now().getTime()), MAX_TIMER_MS);
    this.timers.set(
      action.id,
      this.clock.setTimer(() => this.wake(action), delay),
    );
  }

  private wake(action: ScheduledAction): void {
    const due = this.next.get(action.id);
    if (!due) return;
    const now = this.clock.now();
    if (now < due) {
      this.arm(action, due);
      return;
    }
    // After a long sleep, fire once (not once per missed minute), then continue from now.
    this.arm(action, this.intervalOf(action).nextFiring(now));
    this.options.fire(action);
  }
}
