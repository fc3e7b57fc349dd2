/**
 * One way for every subcommand to read its command line: `node:util` `parseArgs` (strict), `--help`/`-h` answered
 * from the same option list that is parsed, and parseArgs' multi-sentence errors turned into one `UsageError` line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command } from './command';
import { UsageError } from '../core/errors';
import { loadSpacefile } from '../spacefile/load';
import type { SpaceAppModel } from '../spacefile/model';
import { SpacefileError } from '../spacefile/problems';

type ParseArgsOption = NonNullable<ParseArgsConfig['options']>[string];

/** A parseArgs option plus what `--help` says about it. */
export interface OptionSpec extends ParseArgsOption {
  readonly description: string;
  /** The placeholder shown after a string option in the help, e.g. `N` for `--port N`. */
  readonly value?: string;
}

export interface CommandLine<O extends Record<string, OptionSpec>> {
  readonly usage: string;
  readonly summary: string;
  /** Positional arguments and what they mean, for the help. */
  readonly arguments?: Readonly<Record<string, string>>;
  readonly options: O;
}

export type ParsedCommandLine<O extends Record<string, OptionSpec>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/**
 * The command's options and positionals, or `undefined` once `--help` has been printed (the command then exits 0).
 * A mistake throws a `UsageError` naming it, followed by the usage.
 */
export function parseCommandLine<const O extends Record<string, OptionSpec>>(
  line: CommandLine<O>,
  args: readonly string[],
): ParsedCommandLine<O> | undefined {
  const options: Record<string, OptionSpec> = { ...line.options, help: HELP };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(line, describeParseError(error as Error & { code?: string }));
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(line));
    return undefined;
  }
  return parsed as ParsedCommandLine<O>;
}

/**
 * A subcommand whose command line is read by `parseCommandLine` before `run` sees it; `--help` prints and exits 0
 * without running it.
 */
export function defineCommand<const O extends Record<string, OptionSpec>>(
  line: CommandLine<O>,
  run: (parsed: ParsedCommandLine<O>) => Promise<number>,
): Command {
  return {
    summary: line.summary,
    usage: line.usage,
    async run(args) {
      const parsed = parseCommandLine(line, args);
      return parsed ? run(parsed) : 0;
    },
  };
}

/** The one optional Spacefile argument of a command (`./Spacefile` when absent), or a usage error. */
export function spacefileArgument(line: { readonly usage: string }, positionals: readonly string[]): string {
  if (positionals.length > 1) throw usageError(line, `expected one Spacefile, got ${positionals.length}`);
  return positionals[0] ?? 'Spacefile';
}

/** A mistake on the command line: the problem, then the usage. */
export function usageError(line: { readonly usage: string }, problem: string): UsageError {
  return new UsageError(`${problem}. Usage: spaceport ${line.usage}`);
}

/** A whole number option, or a usage error naming it. */
export function integerOption(name: string, text: string | undefined, fallback: number, min = 0, max = 65535): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

export function helpText(line: CommandLine<Record<string, OptionSpec>>): string {
  const options = Object.entries<OptionSpec>({ ...line.options, help: HELP }).map(([name, option]): [string, string] => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    return [flag, option.description + (option.multiple ? ' (repeatable)' : '')];
  });
  const positionals = Object.entries(line.arguments ?? {});
  const width = Math.max(...[...positionals, ...options].map(([term]) => term.length));
  const list = (rows: [string, string][]) => rows.map(([term, text]) => `  ${term.padEnd(width)}  ${text}`).join('\n');
  const sections = [`Usage: spaceport ${line.usage}`, line.summary];
  if (positionals.length > 0) sections.push(`Arguments:\n${list(positionals)}`);
  sections.push(`Options:\n${list(options)}`);
  return sections.join('\n\n') + '\n';
}

/** parseArgs explains in several sentences; a user needs the option and what is wrong with it. */
function describeParseError(error: Error & { code?: string }): string {
  // parseArgs quotes the option first: "Unknown option '--x'", "Option '-p, --port <value>' argument missing".
  const option = /'([^']+)'/
    .exec(error.message)?.[1]
    ?.replace(/ <value>$/, '')
    .split(', ')
    .at(-1);
  if (option !== undefined && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}'`;
  if (option !== undefined && error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take an argument/.test(error.message) ? `${option} takes no value` : `${option} needs a value`;
  }
  return error.message.split('\n')[0]!;
}

/** The app of a command's Spacefile (sources not checked); an invalid Spacefile is the user's to fix, with every problem. */
export function loadCommandSpacefile(spacefile: string): SpaceAppModel {
  try {
    return loadSpacefile(spacefile, { checkSources: false });
  } catch (error) {
    if (error instanceof SpacefileError) throw new UsageError(`${spacefile} is not a valid Spacefile:\n${error.format()}`);
    throw error;
  }
}
