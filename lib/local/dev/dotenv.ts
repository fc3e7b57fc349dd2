/**
 * `.env` files next to the Spacefile: where a developer keeps preset values (`NAME=value` lines) out of git.
 * Only the common subset is accepted; anything else is an error naming the file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors';

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function unquote(raw: string, where: string): string {
  const value = raw.trim();
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value.replace(/\s+#.*$/, '');
  const end = value.indexOf(quote, 1);
  if (end < 0) throw new UsageError(`${where}: missing closing ${quote}`);
  const inner = value.slice(1, end);
  // Double quotes take the usual escapes; single quotes are literal.
  return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : inner;
}

/** `NAME=value` pairs of `text`; `file` names the source in errors. */
export function parseDotenv(text: string, file: string): Map<string, string> {
  const values = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const where = `${file}:${index + 1}`;
    const match = LINE.exec(trimmed);
    if (!match) throw new UsageError(`${where}: expected NAME=value, got '${trimmed}'`);
    values.set(match[1], unquote(match[2], where));
  });
  return values;
}

/** The values of `file`, or none when it does not exist. */
export function readDotenv(file: string): Map<string, string> {
  return existsSync(file) ? parseDotenv(readFileSync(file, 'utf8'), file) : new Map();
}
