/**
 * One log stream for the whole app: every line prefixed with the micro (or `dev`) it comes from, names padded to
 * one width and colored only when the stream is a terminal, so piped logs stay plain text.
 */
import type { Writable } from 'node:stream';

const COLORS = [36, 35, 33, 32, 34, 31];
const SYSTEM_SOURCE = 'dev';

/** One line as the console's logs page shows it. */
export interface LoggedLine {
  readonly at: Date;
  /** A micro's name, or `dev`. */
  readonly source: string;
  readonly message: string;
}

/** Lines kept for the console: the last screens of a session, a bounded amount of memory. */
export const RECENT_LINES = 2000;

export interface DevLogger {
  /** Lines from `source` (a micro name); multi-line text is split and each line prefixed. */
  log(source: string, text: string): void;
  /** Lines from spaceport dev itself. */
  info(text: string): void;
  /** The most recent lines (at most RECENT_LINES are kept), oldest first, at most `limit`, optionally of one source. */
  recent(limit: number, source?: string): LoggedLine[];
}

export interface LoggerOptions {
  readonly stream: Writable & { isTTY?: boolean };
  /** Every source that will log, to pad names to one width and give each a stable color. */
  readonly sources: readonly string[];
  /** Defaults to whether `stream` is a terminal (and NO_COLOR is unset). */
  readonly color?: boolean;
}

export function createLogger(options: LoggerOptions): DevLogger {
  const color = options.color ?? (options.stream.isTTY === true && !process.env.NO_COLOR);
  const sources = [SYSTEM_SOURCE, ...options.sources];
  const width = Math.max(...sources.map((source) => source.length));
  const prefixes = new Map<string, string>();
  const prefixOf = (source: string): string => {
    let prefix = prefixes.get(source);
    if (prefix === undefined) {
      const padded = source.padEnd(width);
      const code = COLORS[Math.max(0, sources.indexOf(source)) % COLORS.length];
      prefix = color ? `\x1b[${source === SYSTEM_SOURCE ? 90 : code}m${padded} |\x1b[0m ` : `${padded} | `;
      prefixes.set(source, prefix);
    }
    return prefix;
  };
  // A ring: `next` is where the next line goes once it is full.
  const ring: LoggedLine[] = [];
  let next = 0;
  const log = (source: string, text: string): void => {
    const prefix = prefixOf(source);
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    options.stream.write(lines.map((line) => prefix + line).join('\n') + '\n');
    const at = new Date();
    for (const message of lines) {
      if (ring.length < RECENT_LINES) ring.push({ at, source, message });
      else {
        ring[next] = { at, source, message };
        next = (next + 1) % RECENT_LINES;
      }
    }
  };
  const recent = (limit: number, source?: string): LoggedLine[] => {
    const ordered = [...ring.slice(next), ...ring.slice(0, next)];
    return (source === undefined ? ordered : ordered.filter((line) => line.source === source)).slice(-limit);
  };
  return { log, info: (text) => log(SYSTEM_SOURCE, text), recent };
}
