/**
 * A user's mistake (a bad flag, a busy port, a malformed `.env` line): the library throws it with one clear message
 * naming what is wrong and where; the CLI prints that message, never a stack trace.
 */
export class UsageError extends Error {}
