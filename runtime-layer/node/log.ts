/** The adapter's own log lines, told apart from the app's by their prefix. */
export function log(message: string): void {
  process.stderr.write(`[spaceport] ${message}\n`);
}
