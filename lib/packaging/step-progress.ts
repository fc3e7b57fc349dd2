/**
 * Live progress of a build step that must be run synchronously (CDK's local bundling cannot wait on events, so the
 * calling process can print nothing while the step runs). A small Node program runs the step instead: it hands
 * everything the step prints back to the caller on its stdout, to explain a failure, and shows it to the user on
 * the stderr it inherits as it comes. In a log (CI, a file) each line is printed with the micro's prefix, and a
 * silent step says every so often that it is still running; on a terminal one line is redrawn in place with the
 * elapsed time and the step's latest line, and cleared when the step ends.
 */

/** How long a step may be silent in a log before a line says it is still running. */
export const QUIET_LOG_MS = 15_000;

/** The relay, run as `node -e RELAY <prefix> <description> <quietMs> <command> <args...>` in the step's directory. */
const RELAY = String.raw`
const { spawn } = require('node:child_process');
const [prefix, description, quietMs, command, ...args] = process.argv.slice(1);
const terminal = Boolean(process.stderr.isTTY);
const started = Date.now();
let latest = '';
let shownAt = started;

const elapsed = () => Math.round((Date.now() - started) / 1000) + ' s';
function draw() {
  const text = prefix + description + ' ' + elapsed() + (latest ? ': ' + latest : '');
  const width = process.stderr.columns || 80;
  process.stderr.write('\r\x1b[K' + (text.length < width ? text : text.slice(0, width - 1)));
}
function show(line) {
  // Colours and a spinner's carriage returns: keep what the line ends up saying.
  const text = line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\r').filter((part) => part.trim()).pop();
  if (!text) return;
  shownAt = Date.now();
  if (terminal) {
    latest = text.trim();
    draw();
  } else {
    process.stderr.write(prefix + '  ' + text + '\n');
  }
}

const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
const partial = new Map();
for (const stream of [child.stdout, child.stderr]) {
  stream.setEncoding('utf8');
  partial.set(stream, '');
  stream.on('data', (chunk) => {
    process.stdout.write(chunk);
    const lines = (partial.get(stream) + chunk).split('\n');
    partial.set(stream, lines.pop());
    lines.forEach(show);
  });
}
const ticker = setInterval(
  () => {
    if (terminal) draw();
    else if (Date.now() - shownAt >= Number(quietMs)) {
      process.stderr.write(prefix + description + ': still running, ' + elapsed() + '\n');
      shownAt = Date.now();
    }
  },
  terminal ? 1000 : Math.max(100, Number(quietMs) / 4),
);

function end() {
  clearInterval(ticker);
  for (const rest of partial.values()) show(rest);
  if (terminal) process.stderr.write('\r\x1b[K');
}
child.on('error', (error) => {
  end();
  process.stdout.write(error.message + '\n');
  process.exit(127);
});
child.on('close', (status, signal) => {
  end();
  // Dies of the same signal, so the caller reports it; Node ignores a few (SIGPIPE): then a plain failure.
  if (signal) process.kill(process.pid, signal);
  process.exit(signal ? 1 : status);
});
`;

/** Node's arguments that run `command args` through the relay, showing its progress under `prefix`. */
export function relayArguments(prefix: string, description: string, command: string, args: readonly string[], quietMs = QUIET_LOG_MS): string[] {
  return ['-e', RELAY, prefix, description, String(quietMs), command, ...args];
}
