/** `spaceport validate`: check a Spacefile and show what Spaceport will run, or every problem with its position. */
import { loadSpacefileWithWarnings } from '../spacefile/load';
import type { SpaceAppModel } from '../spacefile/model';
import { SpacefileError, formatProblem, type SpacefileProblem } from '../spacefile/problems';
import { defineCommand, spacefileArgument } from './arguments';
import type { Command } from './command';
import { formatTable } from './table';

const COMMAND_LINE = {
  summary: 'Check a Spacefile and show its micros and actions',
  usage: 'validate [--no-check-src] [Spacefile]',
  arguments: { Spacefile: 'the Spacefile to check (default: ./Spacefile)' },
  options: {
    'no-check-src': { type: 'boolean', description: "check the Spacefile alone, not that each micro's src exists" },
  },
} as const;

export const validateCommand: Command = defineCommand(COMMAND_LINE, async ({ values, positionals }) => {
  const file = spacefileArgument(COMMAND_LINE, positionals);
  const checkSources = !values['no-check-src'];
  try {
    const { app, warnings } = loadSpacefileWithWarnings(file, { checkSources });
    process.stdout.write(describeApp(app, warnings));
    return 0;
  } catch (error) {
    if (!(error instanceof SpacefileError)) throw error;
    const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`;
    process.stderr.write(`${error.format()}\n${file}: ${count}, nothing to run.\n`);
    return 1;
  }
});

function describeApp(app: SpaceAppModel, warnings: readonly SpacefileProblem[]): string {
  const micros = formatTable([
    ['NAME', 'ENGINE', 'KIND', 'RUNTIME', 'PATH', 'PRIMARY', 'PUBLIC ROUTES', 'API KEYS'],
    ...app.micros.map((micro) => [
      micro.name,
      micro.engine,
      micro.kind,
      micro.runtime,
      micro.path,
      micro.primary ? 'yes' : 'no',
      micro.publicRoutes.join(' ') || '-',
      micro.apiKeys ? 'yes' : 'no',
    ]),
  ]).trimEnd();
  const sections = [`App '${app.name}' (${app.spacefile}): valid.`, `\nMicros\n${micros}`];
  if (app.actions.length > 0) {
    const actions = formatTable([
      ['ID', 'NAME', 'MICRO', 'INTERVAL', 'EVENTBRIDGE'],
      ...app.actions.map((action) => [action.id, action.name, action.microName, action.interval.source, action.interval.eventBridgeExpression]),
    ]).trimEnd();
    sections.push(`\nActions\n${actions}`);
  }
  if (warnings.length > 0) sections.push(`\nWarnings\n${warnings.map(formatProblem).join('\n')}`);
  return sections.join('\n') + '\n';
}
