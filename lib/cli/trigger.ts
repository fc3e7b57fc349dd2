/**
 * `spaceport trigger <action-id>`: run a scheduled action now, in the running `spaceport dev` or, with `--function`,
 * in the deployed app (a Lambda Invoke with the scheduler's event).
 */
import { DEFAULT_DEV_PORT } from '../local/dev/dev-server';
import type { ActionOutcome } from '../local/dev/micro-runtime';
import { DEV_ACTIONS_PATH } from '../core/paths';
import { defineCommand, integerOption, usageError } from './arguments';
import type { Command } from './command';
import { invokeDeployedAction, type DeployedActionTarget } from '../operate/run-action';

/** How much of an action's response body is shown: enough to recognise it, not a page of HTML. */
const BODY_PREVIEW_CHARS = 500;

const COMMAND_LINE = {
  summary: 'Run a scheduled action now in the running spaceport dev, or with --function in the deployed app',
  usage: 'trigger <action-id> [--port N | --function <name-or-arn> [--region <region>]]',
  arguments: { '<action-id>': "the action's id in the Spacefile" },
  options: {
    port: { type: 'string', value: 'N', description: `the port spaceport dev listens on (default ${DEFAULT_DEV_PORT})` },
    function: {
      type: 'string',
      value: '<name-or-arn>',
      description: "the deployed micro's function (its stack output \"Runs action '<id>' now\" gives the command); uses your AWS credentials",
    },
    region: {
      type: 'string',
      value: '<region>',
      description: "with --function: the function's region (default: from the ARN, else AWS_REGION or the profile)",
    },
  },
} as const;

export const triggerCommand: Command = defineCommand(COMMAND_LINE, async (parsed) => {
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length > 0) throw usageError(COMMAND_LINE, 'expected one action id');
  const { function: functionName, region } = parsed.values;
  if (functionName !== undefined) {
    if (parsed.values.port !== undefined) throw usageError(COMMAND_LINE, 'pass either --port (spaceport dev) or --function (deployed), not both');
    return triggerDeployed(id, { functionName, region });
  }
  if (region !== undefined) throw usageError(COMMAND_LINE, '--region only applies with --function');
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
});

async function triggerDeployed(id: string, target: DeployedActionTarget): Promise<number> {
  const outcome = await invokeDeployedAction(id, target);
  switch (outcome.kind) {
    case 'ok': {
      const status = outcome.statusCode !== undefined ? ` (${outcome.statusCode})` : '';
      process.stdout.write(`action ${id}: ok${status} in ${outcome.durationMs} ms\n`);
      if (outcome.body) {
        const more = outcome.body.length > BODY_PREVIEW_CHARS ? ` ... (${outcome.body.length} characters)` : '';
        process.stdout.write(`${outcome.body.slice(0, BODY_PREVIEW_CHARS)}${more}\n`);
      }
      return 0;
    }
    case 'failed':
      process.stdout.write(`action ${id}: FAILED in ${outcome.durationMs} ms: ${outcome.errorType}: ${outcome.errorMessage}\n`);
      return 1;
    case 'unreachable':
      process.stderr.write(`spaceport trigger: action ${id}: ${outcome.reason}\n`);
      return 1;
  }
}
