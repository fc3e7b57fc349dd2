/** `spaceport dev`: run the whole Space app on this machine, under the limits it will have on Lambda. */
import { parseArgs } from 'node:util';
import { DEFAULT_CONCURRENCY, DEFAULT_DEV_PORT, startDevServer } from '../local/dev/dev-server';
import { parseEnvFlag } from '../local/dev/micro-environment';
import { PackagingError } from '../packaging/steps';
import { loadSpacefileWithWarnings } from '../spacefile/load';
import { SpacefileError, formatProblem } from '../spacefile/problems';
import { UsageError, type Command } from './command';

const USAGE = 'dev [--build] [--port N] [--env NAME=value]... [--concurrency N] [--no-watch] [--no-schedule] [--verbose] [Spacefile]';

/** A whole number option, or a usage error naming it. */
export function integerOption(name: string, text: string | undefined, fallback: number, min = 0, max = 65535): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        build: { type: 'boolean' },
        port: { type: 'string' },
        env: { type: 'string', multiple: true },
        concurrency: { type: 'string' },
        'no-watch': { type: 'boolean' },
        'no-schedule': { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: spaceport ${USAGE}`);
  }
}

export const devCommand: Command = {
  summary: 'Run the app locally on :4200 (router, Lambda emulator, scheduler)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parse(args);
    if (positionals.length > 1) throw new UsageError(`expected one Spacefile, got ${positionals.length}. Usage: spaceport ${USAGE}`);
    const file = positionals[0] ?? 'Spacefile';
    const port = integerOption('port', values.port, DEFAULT_DEV_PORT);
    const concurrency = integerOption('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, 1000);
    const env = new Map((values.env ?? []).map(parseEnvFlag));
    let loaded;
    try {
      loaded = loadSpacefileWithWarnings(file);
    } catch (error) {
      if (!(error instanceof SpacefileError)) throw error;
      process.stderr.write(`${error.format()}\n${file}: fix these to run the app.\n`);
      return 1;
    }
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatProblem(warning)}\n`);

    let server;
    try {
      server = await startDevServer({
        app: loaded.app,
        build: values.build ?? false,
        port,
        env,
        concurrency,
        watch: !values['no-watch'],
        schedule: !values['no-schedule'],
        verbose: values.verbose ?? false,
      });
    } catch (error) {
      if (!(error instanceof PackagingError)) throw error;
      process.stderr.write(`${error.message}\nspaceport dev: nothing was started; fix the command and run again.\n`);
      return 1;
    }
    await new Promise<void>((resolve) => {
      const shutdown = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        server.logger.info(`${signal}: stopping every micro`);
        // A second Ctrl-C while stopping means "now".
        const force = (): never => process.exit(130);
        process.once(signal, force);
        void server.stop().then(() => {
          process.off(signal, force);
          resolve();
        });
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });
    return 0;
  },
};
