/**
 * The local counterpart of EventBridge Scheduler: fires every scheduled action at the minutes its parsed
 * interval gives (UTC), the same `Interval` the cloud schedule expression comes from.
 */
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
  readonly next: Date;
}

export class ActionScheduler {
  private readonly clock: Clock;
  private readonly next = new Map<string, Date>();
  private readonly timers = new Map<string, unknown>();

  constructor(
    private readonly actions: readonly ScheduledAction[],
    private readonly options: SchedulerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    for (const action of this.actions) this.arm(action, action.interval.nextFiring(this.clock.now()));
  }

  stop(): void {
    for (const timer of this.timers.values()) this.clock.clearTimer(timer);
    this.timers.clear();
    this.next.clear();
  }

  /** Each action with its next firing time, in Spacefile order. */
  upcoming(): ScheduledFiring[] {
    return this.actions.flatMap((action) => {
      const next = this.next.get(action.id);
      return next ? [{ action, next }] : [];
    });
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
    this.arm(action, action.interval.nextFiring(now));
    this.options.fire(action);
  }
}
