/** `spaceport dev`: run the whole Space app on this machine, under the limits it will have on Lambda. */
import { DEFAULT_CONCURRENCY, DEFAULT_DEV_PORT, startDevServer } from '../local/dev/dev-server';
import { parseEnvFlag } from '../local/dev/dev-variables';
import { PackagingError } from '../packaging/steps';
import { loadSpacefileWithWarnings } from '../spacefile/load';
import { SpacefileError, formatProblem } from '../spacefile/problems';
import { defineCommand, integerOption, spacefileArgument } from './arguments';
import type { Command } from './command';

const COMMAND_LINE = {
  summary: 'Run the app locally on :4200 (router, Lambda emulator, scheduler)',
  usage: 'dev [--build] [--port N] [--env NAME=value]... [--concurrency N] [--aws-credentials] [--no-watch] [--no-schedule] [--verbose] [Spacefile]',
  arguments: { Spacefile: 'the Spacefile of the app to run (default: ./Spacefile)' },
  options: {
    build: { type: 'boolean', description: "run each micro's commands in its src before starting" },
    port: { type: 'string', value: 'N', description: `the router's port (default ${DEFAULT_DEV_PORT})` },
    env: { type: 'string', multiple: true, value: 'NAME=value', description: "a preset's value; wins over .env and the preset's default" },
    concurrency: { type: 'string', value: 'N', description: `most environments per micro (default ${DEFAULT_CONCURRENCY})` },
    'aws-credentials': { type: 'boolean', description: 'give the micros your AWS credentials (default: placeholders AWS refuses)' },
    'no-watch': { type: 'boolean', description: 'do not restart a micro when a file under its src changes' },
    'no-schedule': { type: 'boolean', description: 'do not fire actions on schedule (spaceport trigger still works)' },
    verbose: { type: 'boolean', description: "also show the emulator's INIT_START/START/END/REPORT lines" },
  },
} as const;

export const devCommand: Command = defineCommand(COMMAND_LINE, async ({ values, positionals }) => {
  const file = spacefileArgument(COMMAND_LINE, positionals);
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
      awsCredentials: values['aws-credentials'] ?? false,
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
});
