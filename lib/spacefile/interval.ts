/**
 * `default_interval` of a scheduled action: parsed once, giving both the EventBridge Scheduler expression
 * (cloud) and the next firing times (local scheduler), so both fire at the same minutes (UTC).
 *
 * CONTRACT (implementation in progress): `parseInterval` throws `IntervalError` for what Deta rejected.
 */
export interface Interval {
  /** The interval as written in the Spacefile, e.g. `0/15 * * * *` or `5 minutes`. */
  readonly source: string;
  readonly kind: 'rate' | 'cron';
  /** EventBridge Scheduler expression, e.g. `cron(0/15 * * * ? *)` or `rate(5 minutes)` (UTC). */
  readonly eventBridgeExpression: string;
  /**
   * The first firing strictly after `after` (UTC). Rates count from `startedAt` (the schedule's creation),
   * starting at the next minute, hour or day boundary as Deta did.
   */
  nextFiring(after: Date, startedAt?: Date): Date;
}

export class IntervalError extends Error {}

export function parseInterval(_source: string): Interval {
  throw new IntervalError('not implemented');
}
