/**
 * Building micros for `spaceport dev`: `--build` runs each micro's `commands` in the developer's own tree (where
 * `cdk deploy` packaging runs them in a scratch copy), and without it a static micro whose served directory is not
 * built yet is named, with the way to build it.
 */
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtSiteDirectory, frameworkBuildStep } from '../../packaging/framework-build';
import { commandSteps, runStepStreaming, type Step } from '../../packaging/steps';
import type { Micro, SpaceAppModel } from '../../spacefile/model';
import { devCommand } from './dev-command';
import type { DevLogger } from './logger';

/**
 * Runs the `commands` of every micro, one micro after another, in its `src` directory, with each line they print
 * in the log under the micro's name. A micro with a `dev` command is skipped: as with Deta's `space dev`, that
 * command alone runs it locally (a dev server builds as it serves), unless `prod`. Rejects with a `PackagingError` naming the
 * micro, the command, its exit code and its Spacefile line at the first command that fails.
 */
export async function buildMicros(app: SpaceAppModel, logger: DevLogger, prod = false): Promise<void> {
  for (const micro of app.micros) {
    const steps = buildSteps(micro);
    if (steps.length === 0) continue;
    const log = (line: string): void => logger.log(micro.name, line);
    const dev = devCommand(micro);
    if (dev !== undefined && !prod) {
      log(`not running its commands: its dev command (${dev}) runs it locally`);
      continue;
    }
    for (const step of steps) await runStepStreaming(micro, step, log);
  }
}

/** The micro's `commands`, or for a framework micro without them its own `npm run build`, as packaging runs them. */
function buildSteps(micro: Micro): Step[] {
  if (micro.commands.length > 0) return commandSteps(micro, micro.srcDir);
  const frameworkBuild = frameworkBuildStep(micro, micro.srcDir);
  return frameworkBuild ? [frameworkBuild] : [];
}

/**
 * For a static micro served from files (no `dev` command, or `prod`) whose `serve` directory does not exist: what is wrong
 * and how to fix it, knowing whether `buildMicros` ran. `undefined` otherwise, including for every other kind.
 */
export function missingServeDirHint(app: SpaceAppModel, micro: Micro, built: boolean, prod = false): string | undefined {
  if (micro.kind !== 'static' || (devCommand(micro) !== undefined && !prod)) return undefined;
  const serveDir = join(micro.srcDir, micro.serve ?? '.');
  if (isDirectory(serveDir)) return undefined;
  const missing = `${micro.name} serves ./${relative(app.rootDir, serveDir)}, which does not exist`;
  const steps = buildSteps(micro);
  if (steps.length === 0) return `${missing}, and it has no commands to build it: create it, or fix its 'serve'`;
  const ownCommands = micro.commands.length > 0;
  if (built) {
    const site = builtSiteDirectory(micro.srcDir);
    if (site) return `${missing}; the build wrote its site to ./${relative(app.rootDir, join(micro.srcDir, site))}: set serve: ${site}`;
    return ownCommands
      ? `${missing} after its commands ran: fix its 'serve' or its commands`
      : `${missing} after npm run build: fix its 'serve' or its build script`;
  }
  const src = `./${relative(app.rootDir, micro.srcDir)}`.replace(/\/$/, '');
  const commands = (ownCommands ? micro.commands : ['npm run build']).map((command) => `'${command}'`).join(', then ');
  return `${missing}: build it with 'spaceport dev --build', or run its commands in ${src}: ${commands}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
