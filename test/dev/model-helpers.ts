/** Small hand-built model values for unit tests that must not depend on the Spacefile loader. */
import type { Interval } from '../../lib/spacefile/interval';
import type { Micro, ScheduledAction, SpaceAppModel } from '../../lib/spacefile/model';

const location = { file: '/app/Spacefile', line: 1, column: 1 };

export function micro(overrides: Partial<Micro> & { name: string }): Micro {
  return {
    src: `./${overrides.name}`,
    srcDir: `/app/${overrides.name}`,
    engine: 'nodejs16',
    kind: 'node',
    runtime: 'nodejs24.x',
    primary: false,
    path: `/${overrides.name}`,
    commands: [],
    commandLocations: [],
    run: 'node index.js',
    envPresets: [],
    apiKeys: false,
    publicRoutes: [],
    actions: [],
    provideActions: false,
    location,
    ...overrides,
  };
}

export function app(micros: Micro[]): SpaceAppModel {
  const primary = micros.find((m) => m.primary) ?? micros[0];
  return {
    spacefile: '/app/Spacefile',
    rootDir: '/app',
    name: 'app',
    autoPwa: true,
    micros,
    primary,
    actions: micros.flatMap((m) => m.actions),
  };
}

/** An interval firing every `minutes` minutes on minute boundaries (UTC), like `*\/N * * * *`. */
export function everyMinutes(minutes: number): Interval {
  const step = minutes * 60_000;
  return {
    source: `*/${minutes} * * * *`,
    kind: 'cron',
    eventBridgeExpression: `cron(0/${minutes} * * * ? *)`,
    nextFiring: (after) => new Date(Math.floor(after.getTime() / step) * step + step),
  };
}

export function action(id: string, microName: string, interval: Interval): ScheduledAction {
  return { id, name: id, trigger: 'schedule', interval, microName, location };
}
