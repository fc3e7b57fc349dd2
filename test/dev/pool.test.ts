import { describe, expect, it } from 'vitest';
import { EnvironmentPool, PoolStoppedError, type PooledEnvironment } from '../../lib/local/dev/pool';

/** Environments whose invocations end when the test says so. */
class ManualEnvironment implements PooledEnvironment<string> {
  readonly pending: Array<() => void> = [];
  stopped = false;
  warmed = 0;
  constructor(readonly index: number) {}
  async warm(): Promise<void> {
    this.warmed++;
  }
  invoke(event: unknown): Promise<string> {
    return new Promise((resolve) => this.pending.push(() => resolve(`${this.index}:${String(event)}`)));
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  finish(): void {
    this.pending.shift()?.();
  }
}

function manualPool(maxEnvironments: number, idleTimeoutMs = 60_000) {
  const environments: ManualEnvironment[] = [];
  const pool = new EnvironmentPool<string>({
    maxEnvironments,
    idleTimeoutMs,
    create: (index) => {
      const environment = new ManualEnvironment(index);
      environments.push(environment);
      return environment;
    },
  });
  return { pool, environments };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EnvironmentPool', () => {
  it('serves concurrent invocations from separate environments and reuses a free one', async () => {
    const { pool, environments } = manualPool(4);
    const a = pool.invoke('a');
    const b = pool.invoke('b');
    await tick();
    expect(environments).toHaveLength(2);
    environments[0].finish();
    environments[1].finish();
    expect(await a).toEqual({ result: '0:a', firstInvocation: true });
    expect(await b).toEqual({ result: '1:b', firstInvocation: true });
    const c = pool.invoke('c');
    await tick();
    environments[0].finish();
    expect(await c).toEqual({ result: '0:c', firstInvocation: false });
    expect(environments).toHaveLength(2);
  });

  it('queues beyond the cap and hands the next free environment to the oldest waiter', async () => {
    const { pool, environments } = manualPool(1);
    const first = pool.invoke('1');
    const second = pool.invoke('2');
    await tick();
    expect(environments).toHaveLength(1);
    expect(environments[0].pending).toHaveLength(1);
    environments[0].finish();
    await first;
    await tick();
    environments[0].finish();
    expect((await second).result).toBe('0:2');
  });

  it('reaps idle environments', async () => {
    const { pool, environments } = manualPool(2, 10);
    const done = pool.invoke('x');
    await tick();
    environments[0].finish();
    await done;
    expect(pool.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.size).toBe(0);
    expect(environments[0].stopped).toBe(true);
  });

  it('restart stops idle environments now and busy ones after their invocation', async () => {
    const { pool, environments } = manualPool(2);
    const busy = pool.invoke('busy');
    const idle = pool.invoke('idle');
    await tick();
    environments[1].finish();
    await idle;
    await pool.restart();
    expect(environments[1].stopped).toBe(true);
    expect(environments[0].stopped).toBe(false);
    environments[0].finish();
    await busy;
    await tick();
    expect(environments[0].stopped).toBe(true);
    const next = pool.invoke('next');
    await tick();
    expect(environments).toHaveLength(3);
    environments[2].finish();
    expect(await next).toEqual({ result: '2:next', firstInvocation: true });
  });

  it('prewarm starts one environment that the next invocation gets, within the cap and only when none is idle', async () => {
    const { pool, environments } = manualPool(2);
    pool.prewarm();
    expect(environments.map((e) => e.warmed)).toEqual([1]);
    pool.prewarm();
    expect(environments).toHaveLength(1);
    const next = pool.invoke('next');
    await tick();
    environments[0].finish();
    expect((await next).result).toBe('0:next');

    const a = pool.invoke('a');
    const b = pool.invoke('b');
    await tick();
    pool.prewarm();
    expect(environments).toHaveLength(2);
    environments[0].finish();
    environments[1].finish();
    await Promise.all([a, b]);
  });

  it('restart then prewarm replaces an idle environment with a started one', async () => {
    const { pool, environments } = manualPool(2);
    const first = pool.invoke('first');
    await tick();
    environments[0].finish();
    await first;
    await pool.restart();
    pool.prewarm();
    expect(environments[0].stopped).toBe(true);
    expect(environments[1].warmed).toBe(1);
    const after = pool.invoke('after');
    await tick();
    environments[1].finish();
    expect(await after).toEqual({ result: '1:after', firstInvocation: true });
    expect(environments).toHaveLength(2);
  });

  it('stop fails queued invocations and refuses new ones', async () => {
    const { pool, environments } = manualPool(1);
    const running = pool.invoke('a');
    const queued = pool.invoke('b');
    await tick();
    await pool.stop();
    await expect(queued).rejects.toBeInstanceOf(PoolStoppedError);
    await expect(pool.invoke('c')).rejects.toBeInstanceOf(PoolStoppedError);
    expect(environments[0].stopped).toBe(true);
    environments[0].finish();
    await running;
  });
});
