/**
 * `spaceport actions`: the app's scheduled actions as the owner saw them on Space: listed with their interval,
 * state, next and last run; run now, paused, resumed, or given a new interval. On the deployed app by default (the
 * Scheduler API, with each change recorded so the next deploy keeps it), or with `--local` on the running
 * `spaceport dev`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DEV_PORT } from '../local/dev/dev-server';
import { DEV_ACTIONS_PATH } from '../core/paths';
import type { LocalActionState } from '../local/dev/action-state';
import { CONTEXT_FILE, readActionOverrides, recordActionOverride } from '../operate/action-overrides';
import { DeployedAppError } from '../operate/aws-errors';
import { listDeployedActions, setActionEnabled, setActionInterval, type DeployedAction } from '../operate/deployed-actions';
import { invokeDeployedAction } from '../operate/run-action';
import { IntervalError, parseInterval } from '../spacefile/interval';
import { defineCommand, integerOption, usageError, type ParsedCommandLine } from './arguments';
import { UsageError } from '../core/errors';
import type { Command } from './command';
import { DEPLOYED_TARGET_OPTIONS, deployedTarget, type DeployedTarget } from './deployed-target';
import { formatTable } from './table';

const VERBS = ['list', 'run', 'pause', 'resume', 'set', 'reset', 'keep'] as const;
type Verb = (typeof VERBS)[number];

const COMMAND_LINE = {
  summary: "List, run, pause, resume or re-schedule the app's scheduled actions (deployed, or --local in spaceport dev)",
  usage: 'actions [list] | run <id> | pause <id> | resume <id> | set <id> "<interval>" | reset <id> | keep  [--stack <name>] [--local]',
  arguments: {
    list: 'every action: micro, interval (and where it comes from), state, next run, last run (the default)',
    'run <id>': 'run the action now, with the event the scheduler sends',
    'pause <id>': 'stop the schedule until resumed (kept by the next deploy)',
    'resume <id>': 'run the schedule again',
    'set <id> "<interval>"': 'a new interval in Space syntax ("5 minutes", "0 * * * *"), kept by the next deploy',
    'reset <id>': "back to the Spacefile's interval, running",
    keep: "record the changes made in the owner's console (/__space/) so the next deploy keeps them",
  },
  options: {
    ...DEPLOYED_TARGET_OPTIONS,
    local: { type: 'boolean', description: 'the running spaceport dev instead of the deployed app' },
    port: { type: 'string', value: 'N', description: `with --local: the port spaceport dev listens on (default ${DEFAULT_DEV_PORT})` },
  },
} as const;

type Parsed = ParsedCommandLine<typeof COMMAND_LINE.options>;

export const actionsCommand: Command = defineCommand(COMMAND_LINE, async (parsed) => {
  const { verb, id, interval } = verbOf(parsed);
  if (parsed.values.local) {
    for (const option of ['stack', 'region'] as const) {
      if (parsed.values[option] !== undefined) throw new UsageError(`--${option} names a deployed app; it does not go with --local`);
    }
    return localActions(verb, id, integerOption('port', parsed.values.port, DEFAULT_DEV_PORT, 1));
  }
  if (parsed.values.port !== undefined) throw new UsageError('--port only applies with --local');
  const target = await deployedTarget(parsed.values);
  try {
    return await deployedActions(target, verb, id, interval);
  } catch (error) {
    throw error instanceof DeployedAppError ? new UsageError(error.message) : error;
  }
});

function verbOf({ positionals }: Parsed): { verb: Verb; id?: string; interval?: string } {
  const [verb = 'list', id, interval, ...extra] = positionals;
  if (!(VERBS as readonly string[]).includes(verb)) throw usageError(COMMAND_LINE, `expected ${VERBS.join(', ')}; got '${verb}'`);
  const arity = verb === 'list' || verb === 'keep' ? 0 : verb === 'set' ? 2 : 1;
  const given = [id, interval, ...extra].filter((value) => value !== undefined).length;
  if (given !== arity) {
    const wants = verb === 'list' || verb === 'keep' ? 'no arguments' : verb === 'set' ? 'an action id and an interval' : 'an action id';
    throw usageError(COMMAND_LINE, `'actions ${verb}' takes ${wants}`);
  }
  return { verb: verb as Verb, id, interval };
}

async function deployedActions(target: DeployedTarget, verb: Verb, id: string | undefined, intervalText: string | undefined): Promise<number> {
  const { app, model } = target;
  const overridesDir = process.cwd();
  const overrides = readActionOverrides(overridesDir, app.stackName);
  const actions = await listDeployedActions(app, { spacefileActions: model?.actions, overrides, lastRun: verb === 'list' });
  if (verb === 'list') {
    if (actions.length === 0) process.stderr.write(`Stack '${app.stackName}' has no scheduled actions.\n`);
    else process.stdout.write(formatDeployed(actions));
    if (actions.some(changedInConsole)) {
      process.stderr.write(
        "Values marked [console] were changed in the owner's console: 'spaceport actions keep' records them for the next deploy.\n",
      );
    }
    return 0;
  }
  if (verb === 'keep') return keepConsoleChanges(actions, overridesDir, app.stackName, model?.actions);
  const action = actions.find((candidate) => candidate.id === id);
  if (!action) {
    throw new UsageError(`stack '${app.stackName}' has no action '${id}' (actions: ${actions.map((a) => a.id).join(', ') || 'none'})`);
  }
  const record = (change: Parameters<typeof recordActionOverride>[3]): void => {
    recordActionOverride(overridesDir, app.stackName, action.id, change);
    const where = existsSync(join(overridesDir, 'cdk.json'))
      ? CONTEXT_FILE
      : `${CONTEXT_FILE} (no cdk.json here: run this from the directory you deploy from, so the next deploy reads it)`;
    process.stderr.write(`Recorded in ${where}: the next deploy keeps it.\n`);
  };
  const declared = model?.actions.find((candidate) => candidate.id === action.id)?.interval;
  switch (verb) {
    case 'run': {
      const functionName = app.micros[action.micro]?.functionName;
      if (!functionName) throw new UsageError(`action '${action.id}' targets a function this app's manifest does not name`);
      const outcome = await invokeDeployedAction(action.id, { functionName, region: app.region });
      if (outcome.kind === 'unreachable') throw new UsageError(outcome.reason);
      if (outcome.kind === 'failed') {
        process.stdout.write(`action ${action.id}: FAILED in ${outcome.durationMs} ms: ${outcome.errorType}: ${outcome.errorMessage}\n`);
        return 1;
      }
      process.stdout.write(`action ${action.id}: ok${outcome.statusCode ? ` (${outcome.statusCode})` : ''} in ${outcome.durationMs} ms\n`);
      return 0;
    }
    case 'pause':
    case 'resume': {
      const enabled = verb === 'resume';
      await setActionEnabled(app, action.id, enabled);
      process.stdout.write(`action ${action.id}: ${enabled ? 'resumed' : 'paused'}\n`);
      // Running is the Spacefile's state: resuming removes the override rather than recording `enabled: true`.
      record({ enabled: enabled ? undefined : false });
      return 0;
    }
    case 'set':
    case 'reset': {
      let interval;
      if (verb === 'set') {
        try {
          interval = parseInterval(intervalText!);
        } catch (error) {
          if (error instanceof IntervalError) throw new UsageError(error.message);
          throw error;
        }
      } else {
        if (!declared) throw new UsageError(`reset needs the app's Spacefile to know action '${action.id}''s interval: pass --spacefile`);
        interval = declared;
        if (!action.enabled) await setActionEnabled(app, action.id, true);
      }
      await setActionInterval(app, action.id, interval, { reset: verb === 'reset' });
      process.stdout.write(
        `action ${action.id}: ${interval.source} (${interval.eventBridgeExpression}, UTC)${verb === 'reset' ? ', running' : ''}\n`,
      );
      const backToSpacefile = declared !== undefined && declared.eventBridgeExpression === interval.eventBridgeExpression;
      record(verb === 'reset' ? { interval: undefined, enabled: undefined } : { interval: backToSpacefile ? undefined : interval.source });
      return 0;
    }
  }
  return 0;
}

function changedInConsole(action: DeployedAction): boolean {
  return action.intervalOrigin === 'console' || action.stateOrigin === 'console';
}

/**
 * Records what the owner changed in the console as overrides, as if made with `spaceport actions`: a deploy from
 * this directory then keeps them. A value back at the Spacefile's needs no override and removes one.
 */
function keepConsoleChanges(
  actions: readonly DeployedAction[],
  dir: string,
  stackName: string,
  declared: readonly { readonly id: string; readonly interval: { readonly eventBridgeExpression: string } }[] | undefined,
): number {
  const changed = actions.filter(changedInConsole);
  if (changed.length === 0) {
    process.stderr.write("No action has a change from the owner's console that is not recorded.\n");
    return 0;
  }
  for (const action of changed) {
    const change: Parameters<typeof recordActionOverride>[3] = {};
    if (action.stateOrigin === 'console') change.enabled = action.enabled ? undefined : false;
    if (action.intervalOrigin === 'console') {
      if (action.interval === undefined) {
        throw new UsageError(`action '${action.id}' runs at ${action.expression}, which is no Space interval: set one with 'spaceport actions set'`);
      }
      const spacefile = declared?.find((candidate) => candidate.id === action.id)?.interval.eventBridgeExpression;
      change.interval = spacefile === action.expression ? undefined : action.interval;
    }
    recordActionOverride(dir, stackName, action.id, change);
    process.stdout.write(`action ${action.id}: kept ${action.interval ?? action.expression}, ${action.enabled ? 'running' : 'paused'}\n`);
  }
  process.stderr.write(`Recorded in ${CONTEXT_FILE}: the next deploy keeps them.\n`);
  return 0;
}

function formatDeployed(actions: readonly DeployedAction[]): string {
  const origin = (value: string): string => (value === 'spacefile' ? '' : ` [${value}]`);
  const rows = actions.map((action) => [
    action.id,
    action.micro,
    `${action.interval ?? action.expression}${origin(action.intervalOrigin)}`,
    action.expression,
    `${action.enabled ? 'running' : 'paused'}${origin(action.stateOrigin)}`,
    action.nextRun?.toISOString() ?? '-',
    action.lastRun
      ? `${action.lastRun.at.toISOString()} ${action.lastRun.ok ? `ok ${action.lastRun.statusCode}` : `FAILED: ${action.lastRun.reason}`}`
      : '-',
  ]);
  return formatTable([['ID', 'MICRO', 'INTERVAL', 'EVENTBRIDGE (UTC)', 'STATE', 'NEXT RUN', 'LAST RUN'], ...rows]);
}

/** The same verbs against the running `spaceport dev`, through its local-only `/__space/dev/actions` endpoints. */
async function localActions(verb: Verb, id: string | undefined, port: number): Promise<number> {
  if (verb === 'set' || verb === 'reset') {
    throw new UsageError(`locally the Spacefile is the schedule: edit the action's default_interval and restart spaceport dev`);
  }
  const base = `http://127.0.0.1:${port}${DEV_ACTIONS_PATH}`;
  const url = verb === 'list' ? base : `${base}/${encodeURIComponent(id!)}${verb === 'run' ? '' : `/${verb}`}`;
  let response: Response;
  try {
    response = await fetch(url, { method: verb === 'list' ? 'GET' : 'POST' });
  } catch {
    throw new UsageError(`nothing answers on port ${port}: start 'spaceport dev' first (or pass --port)`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok && response.status !== 502) throw new UsageError(String(body.message ?? `port ${port} answered ${response.status}`));
  switch (verb) {
    case 'list': {
      const actions = (body.actions ?? []) as LocalActionState[];
      if (actions.length === 0) process.stderr.write('This app has no scheduled actions.\n');
      else process.stdout.write(formatLocal(actions));
      return 0;
    }
    case 'run':
      process.stdout.write(
        `action ${id}: ${body.ok ? `ok${body.statusCode ? ` (${String(body.statusCode)})` : ''}` : `FAILED: ${String(body.error)}`} in ${String(body.durationMs)} ms\n`,
      );
      return body.ok ? 0 : 1;
    default:
      process.stdout.write(`action ${id}: ${verb === 'pause' ? 'paused' : 'resumed'} until spaceport dev stops\n`);
      return 0;
  }
}

function formatLocal(actions: readonly LocalActionState[]): string {
  const rows = actions.map((action) => [
    action.id,
    action.micro,
    action.interval,
    action.paused ? 'paused' : 'running',
    action.nextRun ?? '-',
    action.lastRun
      ? `${action.lastRun.at} ${action.lastRun.ok ? `ok ${action.lastRun.statusCode ?? ''}` : `FAILED: ${action.lastRun.error}`}`.trimEnd()
      : '-',
  ]);
  return formatTable([['ID', 'MICRO', 'INTERVAL (UTC)', 'STATE', 'NEXT RUN', 'LAST RUN'], ...rows]);
}
