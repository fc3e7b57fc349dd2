#!/usr/bin/env node
/** The `spaceport` command: dispatches to the subcommands in `lib/cli/`. */
import type { Command } from '../lib/cli/command';
import { UsageError } from '../lib/core/errors';

// Loaded lazily so `spaceport validate` does not pay for the local runtime's modules.
/* eslint-disable @typescript-eslint/no-require-imports -- a lazy require is the point here */
const COMMANDS: Record<string, () => Command> = {
  validate: () => require('../lib/cli/validate').validateCommand,
  dev: () => require('../lib/cli/dev').devCommand,
  trigger: () => require('../lib/cli/trigger').triggerCommand,
  keys: () => require('../lib/cli/keys').keysCommand,
  data: () => require('../lib/cli/data').dataCommand,
  actions: () => require('../lib/cli/actions').actionsCommand,
  logs: () => require('../lib/cli/logs').logsCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

function printHelp(): void {
  const lines = Object.values(COMMANDS).map((load) => {
    const command = load();
    return `  spaceport ${command.usage}\n      ${command.summary}`;
  });
  console.log(`Usage: spaceport <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n'spaceport <command> --help' describes each option.`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  // `spaceport help dev` is `spaceport dev --help`.
  if (name === 'help' && args[0] !== undefined) return main([args[0], '--help']);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`spaceport: unknown command '${name}'. Run 'spaceport --help' for the list.`);
    return 2;
  }
  try {
    return await load().run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`spaceport ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
