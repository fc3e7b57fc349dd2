/** The app as the console's overview shows it, from the Spacefile's model: one mapping for `spaceport dev` and synth. */
import type { Micro, SpaceAppModel } from '../spacefile/model';
import type { ConsoleApp } from './backend';

/**
 * `runtimeOf` names the runtime a micro runs on: the engine's default locally, the deployed function's in the cloud
 * (where `SpaceAppProps.runtimes` may have moved it). Static micros show `static`.
 */
export function consoleOverview(app: SpaceAppModel, runtimeOf: (micro: Micro) => string = (micro) => micro.runtime): Omit<ConsoleApp, 'url'> {
  return {
    name: app.name,
    micros: app.micros.map((micro) => ({
      name: micro.name,
      path: micro.path,
      primary: micro.primary,
      engine: micro.engine,
      runtime: micro.kind === 'static' ? 'static' : runtimeOf(micro),
      publicRoutes: micro.publicRoutes,
      apiKeys: micro.apiKeys,
      provideActions: micro.provideActions,
    })),
  };
}
