/** One action as `GET /__space/dev/actions` lists it for `spaceport actions --local` and the console shows it. */
export interface LocalActionState {
  readonly id: string;
  readonly name: string;
  readonly micro: string;
  /** The interval it runs at: the Spacefile's `default_interval`, or the one set in the console. */
  readonly interval: string;
  readonly paused: boolean;
  /** ISO time of the next run; absent while paused. */
  readonly nextRun?: string;
  /** The latest run since `spaceport dev` started. */
  readonly lastRun?: {
    readonly at: string;
    readonly ok: boolean;
    readonly statusCode?: number;
    readonly durationMs: number;
    readonly error?: string;
  };
}
