/** `spaceport trigger <action-id>`: run a scheduled action now through the running `spaceport dev`. */
import { parseArgs } from 'node:util';
import { DEFAULT_DEV_PORT } from '../local/dev/dev-server';
import type { ActionOutcome } from '../local/dev/micro-runtime';
import { DEV_ACTIONS_PATH } from '../local/dev/trigger-page';
import { UsageError, type Command } from './command';
import { integerOption } from './dev';

const USAGE = 'trigger <action-id> [--port N]';

export const triggerCommand: Command = {
  summary: 'Run a scheduled action now in the running spaceport dev',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. Usage: spaceport ${USAGE}`);
    }
    const [id, ...extra] = parsed.positionals;
    if (!id || extra.length > 0) throw new UsageError(`expected one action id. Usage: spaceport ${USAGE}`);
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
