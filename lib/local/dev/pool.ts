/**
 * A micro's execution environments, scaled like Lambda's: one invocation per environment at a time, a new
 * environment when all are busy (up to a concurrency cap, like reserved concurrency), a queue beyond the cap,
 * and environments reaped after sitting idle.
 */

/** One execution environment as the pool needs it. */
export interface PooledEnvironment<Result> {
  /** Starts the environment ahead of its first invocation, which then waits for this; never rejects. */
  warm(): Promise<void>;
  invoke(event: unknown): Promise<Result>;
  stop(): Promise<void>;
}

export interface PoolOptions<Result> {
  /** Creates a stopped-until-first-invoke environment; `index` counts environments ever created (for logs). */
  readonly create: (index: number) => PooledEnvironment<Result>;
  readonly maxEnvironments: number;
  /** Idle environments are stopped after this long. */
  readonly idleTimeoutMs: number;
}

export interface PooledResult<Result> {
  readonly result: Result;
  /** True when this invocation was the environment's first (it paid for INIT). */
  readonly firstInvocation: boolean;
}

interface Slot<Result> {
  readonly environment: PooledEnvironment<Result>;
  invocations: number;
  busy: boolean;
  /** Set by `restart()`: stop as soon as the current invocation ends. */
  stale: boolean;
  idleTimer?: NodeJS.Timeout;
}

export class PoolStoppedError extends Error {}

export class EnvironmentPool<Result> {
  private readonly slots = new Set<Slot<Result>>();
  private readonly waiting: Array<{ resolve: (slot: Slot<Result>) => void; reject: (error: Error) => void }> = [];
  private created = 0;
  private stopped = false;

  constructor(private readonly options: PoolOptions<Result>) {
    if (!(options.maxEnvironments >= 1)) throw new RangeError('a pool needs at least one environment');
  }

  /** Environments currently alive (busy or idle). */
  get size(): number {
    return this.slots.size;
  }

  async invoke(event: unknown): Promise<PooledResult<Result>> {
    const slot = await this.acquire();
    const firstInvocation = slot.invocations === 0;
    slot.invocations++;
    try {
      return { result: await slot.environment.invoke(event), firstInvocation };
    } finally {
      this.release(slot);
    }
  }

  /** Replaces every environment: idle ones stop now, busy ones when their invocation ends. */
  async restart(): Promise<void> {
    const idle = [...this.slots].filter((slot) => !slot.busy);
    for (const slot of this.slots) slot.stale = true;
    await Promise.all(idle.map((slot) => this.retire(slot)));
  }

  /** Starts one environment ahead of demand unless an idle one is ready or the cap is reached; the next invocation gets it. */
  prewarm(): void {
    if (this.stopped || this.slots.size >= this.options.maxEnvironments) return;
    if ([...this.slots].some((slot) => !slot.busy && !slot.stale)) return;
    const slot = this.spawn();
    void slot.environment.warm();
    this.reapWhenIdle(slot);
  }

  /** Stops every environment and fails queued invocations. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new PoolStoppedError('spaceport dev is stopping'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot)));
  }

  private acquire(): Promise<Slot<Result>> {
    if (this.stopped) return Promise.reject(new PoolStoppedError('spaceport dev is stopping'));
    for (const slot of this.slots) {
      if (!slot.busy && !slot.stale) return Promise.resolve(this.claim(slot));
    }
    if (this.slots.size < this.options.maxEnvironments) return Promise.resolve(this.claim(this.spawn()));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private spawn(): Slot<Result> {
    const slot: Slot<Result> = { environment: this.options.create(this.created++), invocations: 0, busy: false, stale: false };
    this.slots.add(slot);
    return slot;
  }

  private claim(slot: Slot<Result>): Slot<Result> {
    clearTimeout(slot.idleTimer);
    slot.busy = true;
    return slot;
  }

  private release(slot: Slot<Result>): void {
    slot.busy = false;
    if (slot.stale || this.stopped) {
      void this.retire(slot);
      // The retired slot frees room for a queued invocation on a fresh environment.
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(this.claim(this.spawn()));
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve(this.claim(slot));
      return;
    }
    this.reapWhenIdle(slot);
  }

  private reapWhenIdle(slot: Slot<Result>): void {
    slot.idleTimer = setTimeout(() => void this.retire(slot), this.options.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  private async retire(slot: Slot<Result>): Promise<void> {
    clearTimeout(slot.idleTimer);
    if (!this.slots.delete(slot)) return;
    await slot.environment.stop();
  }
}
