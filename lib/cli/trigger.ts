/** `spaceport trigger <action-id>`: run a scheduled action now through the running `spaceport dev`. */
import { DEFAULT_DEV_PORT } from '../local/dev/dev-server';
import type { ActionOutcome } from '../local/dev/micro-runtime';
import { DEV_ACTIONS_PATH } from '../local/dev/trigger-page';
import { integerOption, parseCommandLine, usageError } from './arguments';
import type { Command } from './command';

const COMMAND_LINE = {
  summary: 'Run a scheduled action now in the running spaceport dev',
  usage: 'trigger <action-id> [--port N]',
  arguments: { '<action-id>': "the action's id in the Spacefile" },
  options: {
    port: { type: 'string', value: 'N', description: `the port spaceport dev listens on (default ${DEFAULT_DEV_PORT})` },
  },
} as const;

export const triggerCommand: Command = {
  summary: COMMAND_LINE.summary,
  usage: COMMAND_LINE.usage,
  async run(args) {
    const parsed = parseCommandLine(COMMAND_LINE, args);
    if (!parsed) return 0;
    const [id, ...extra] = parsed.positionals;
    if (!id || extra.length > 0) throw usageError(COMMAND_LINE, 'expected one action id');
    const port = integerOption('port', parsed.values.port, DEFAULT_DEV_PORT, 1);
    let response: Response;
    try {
      response = await fetch(`http://127.0.0.1:${port}${DEV_ACTIONS_PATH}/${encodeURIComponent(id)}`, { method: 'POST' });
    } catch {
      process.stderr.write(`spaceport trigger: nothing answers on port ${port}: start 'spaceport dev' first (or pass --port)\n`);
      return 1;
    }
    const outcome = (await response.json().catch(() => ({}))) as Partial<ActionOutcome> & { message?: string };
    if (outcome.ok === undefined) {
      // Not an action outcome: an unknown id, or something other than spaceport dev answering on that port.
      process.stderr.write(`spaceport trigger: ${outcome.message ?? `port ${port} answered ${response.status}`}\n`);
      return 1;
    }
    const status = outcome.ok ? `ok${outcome.statusCode ? ` (${outcome.statusCode})` : ''}` : `FAILED: ${outcome.error}`;
    process.stdout.write(`action ${id} on ${outcome.micro}: ${status} in ${outcome.durationMs} ms\n`);
    if (outcome.body) process.stdout.write(`${outcome.body}\n`);
    return outcome.ok ? 0 : 1;
  },
};
