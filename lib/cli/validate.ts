/** `spaceport validate`: check a Spacefile and show what Spaceport will run, or every problem with its position. */
import { loadSpacefileWithWarnings } from '../spacefile/load';
import type { SpaceAppModel } from '../spacefile/model';
import { SpacefileError, formatProblem, type SpacefileProblem } from '../spacefile/problems';
import { UsageError, type Command } from './command';

export const validateCommand: Command = {
  summary: 'Check a Spacefile and show its micros and actions',
  usage: 'validate [--no-check-src] [Spacefile]',
  async run(args) {
    const { file, checkSources } = parseArgs(args);
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
  },
};

function parseArgs(args: readonly string[]): { file: string; checkSources: boolean } {
  const files: string[] = [];
  let checkSources = true;
  for (const arg of args) {
    if (arg === '--no-check-src') checkSources = false;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'. Usage: spaceport ${validateCommand.usage}`);
    else files.push(arg);
  }
  if (files.length > 1) throw new UsageError(`expected one Spacefile, got ${files.length}. Usage: spaceport ${validateCommand.usage}`);
  return { file: files[0] ?? 'Spacefile', checkSources };
}

function describeApp(app: SpaceAppModel, warnings: readonly SpacefileProblem[]): string {
  const micros = table(
    ['NAME', 'ENGINE', 'KIND', 'RUNTIME', 'PATH', 'PRIMARY', 'PUBLIC ROUTES', 'API KEYS'],
    app.micros.map((micro) => [
      micro.name,
      micro.engine,
      micro.kind,
      micro.runtime,
      micro.path,
      micro.primary ? 'yes' : 'no',
      micro.publicRoutes.join(' ') || '-',
      micro.apiKeys ? 'yes' : 'no',
    ]),
  );
  const sections = [`App '${app.name}' (${app.spacefile}): valid.`, `\nMicros\n${micros}`];
  if (app.actions.length > 0) {
    const actions = table(
      ['ID', 'NAME', 'MICRO', 'INTERVAL', 'EVENTBRIDGE'],
      app.actions.map((action) => [action.id, action.name, action.microName, action.interval.source, action.interval.eventBridgeExpression]),
    );
    sections.push(`\nActions\n${actions}`);
  }
  if (warnings.length > 0) sections.push(`\nWarnings\n${warnings.map(formatProblem).join('\n')}`);
  return sections.join('\n') + '\n';
}

/** Columns padded to their widest cell. */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [headers, ...rows].map(line).join('\n');
}
