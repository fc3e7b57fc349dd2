/**
 * `spaceport logs [micro...] [--since 10m] [--follow]`: the deployed app's logs from CloudWatch Logs, one stream
 * prefixed and coloured as `spaceport dev` prints its own, requests (`router`) and action runs included.
 */
import { createLogger } from '../local/dev/logger';
import { DeployedAppError } from '../operate/aws-errors';
import { readLogs } from '../operate/logs';
import { ROUTER_SOURCE } from '../handlers/log-lines';
import { defineCommand, usageError } from './arguments';
import { UsageError } from '../core/errors';
import type { Command } from './command';
import { DEPLOYED_TARGET_OPTIONS, deployedTarget } from './deployed-target';

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const COMMAND_LINE = {
  summary: "Print the deployed app's logs (every micro and its requests), optionally following new lines",
  usage: 'logs [micro...] [--since 10m] [--follow] [--stack <name>]',
  arguments: { 'micro...': `only these micros' logs ('${ROUTER_SOURCE}' for the requests; default: all)` },
  options: {
    ...DEPLOYED_TARGET_OPTIONS,
    since: { type: 'string', value: '<duration>', description: 'how far back to start: 30s, 10m, 2h, 1d (default 10m)' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
  },
} as const;

export const logsCommand: Command = defineCommand(COMMAND_LINE, async (parsed) => {
  const sinceMs = durationMs(parsed.values.since ?? '10m');
  const { app } = await deployedTarget(parsed.values);
  const sources = parsed.positionals;
  const logger = createLogger({ stream: process.stdout, sources: [...Object.keys(app.micros), ROUTER_SOURCE] });
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    await readLogs(app, {
      sources,
      startTime: Date.now() - sinceMs,
      follow: parsed.values.follow ?? false,
      signal: stop.signal,
      write: (source, text) => logger.log(source, text),
    });
  } catch (error) {
    throw error instanceof DeployedAppError ? new UsageError(error.message) : error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  return 0;
});

/** `30s`, `10m`, `2h`, `1d` in milliseconds, or a usage error naming the value. */
export function durationMs(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw usageError(COMMAND_LINE, `--since '${text}': write a duration like 30s, 10m, 2h or 1d`);
  return Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
}
