/** The public face of `spaceport dev`: start the whole app locally, and the pieces others reuse. */
export { startDevServer, type DevServer, type DevServerOptions, DEFAULT_DEV_PORT, DEFAULT_CONCURRENCY, DEFAULT_IDLE_TIMEOUT_MS } from './dev-server';
export type { ActionOutcome } from './micro-runtime';
export type { Clock } from './clock';
export type { ScheduledFiring } from './scheduler';
