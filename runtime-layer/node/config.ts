/**
 * The adapter's configuration, read once from the function's environment (the variables runtime-layer/README.md
 * lists: `SPACEPORT_RUN`, `SPACEPORT_STATIC_DIR`, `SPACEPORT_BASE_PATH`, `SPACEPORT_READINESS`, `PORT`,
 * `SPACEPORT_INIT_TIMEOUT_MS`). Mistakes become a `ConfigError` naming the variable, reported as an init error.
 */
import { isAbsolute, resolve } from 'node:path';
import { appVariables } from './app-variables';

export type Readiness = { readonly kind: 'tcp' } | { readonly kind: 'http'; readonly path: string };

export interface AdapterConfig {
  readonly taskRoot: string;
  /** The app's start command, run by `/bin/sh -c`; absent for static micros. */
  readonly run?: string;
  /** Absolute directory served in static mode. */
  readonly staticDir?: string;
  /** The micro's path (`/api`), stripped from request paths; empty for the primary. */
  readonly basePath: string;
  readonly port: number;
  readonly readiness: Readiness;
  readonly initTimeoutMs: number;
  /** The environment the app is started with (`appVariables`), built once. */
  readonly appEnv: NodeJS.ProcessEnv;
  /** Fields of `x-amzn-lambda-context` that never change in this environment. */
  readonly functionEnv: Readonly<Record<string, string | number>>;
}

export class ConfigError extends Error {}

const DEFAULT_PORT = 8080;
const DEFAULT_INIT_TIMEOUT_MS = 9800;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer, got "${text}"`);
  return value;
}

function readReadiness(text: string | undefined): Readiness {
  if (text === undefined || text === '' || text === 'tcp') return { kind: 'tcp' };
  if (text.startsWith('http:/')) return { kind: 'http', path: text.slice('http:'.length) };
  throw new ConfigError(`SPACEPORT_READINESS must be "tcp" or "http:/some/path", got "${text}"`);
}

function readBasePath(text: string | undefined): string {
  if (text === undefined || text === '' || text === '/') return '';
  if (!text.startsWith('/')) throw new ConfigError(`SPACEPORT_BASE_PATH must start with "/", got "${text}"`);
  return text.replace(/\/+$/, '');
}

export function readConfig(env: NodeJS.ProcessEnv): AdapterConfig {
  const taskRoot = env.LAMBDA_TASK_ROOT || process.cwd();
  const run = env.SPACEPORT_RUN || undefined;
  const staticDirText = env.SPACEPORT_STATIC_DIR || undefined;
  if (run === undefined && staticDirText === undefined) {
    throw new ConfigError('neither SPACEPORT_RUN (a start command) nor SPACEPORT_STATIC_DIR (files to serve) is set');
  }
  return {
    taskRoot,
    run,
    staticDir: staticDirText === undefined ? undefined : isAbsolute(staticDirText) ? staticDirText : resolve(taskRoot, staticDirText),
    basePath: readBasePath(env.SPACEPORT_BASE_PATH),
    port: positiveInteger(env, 'PORT', DEFAULT_PORT),
    readiness: readReadiness(env.SPACEPORT_READINESS),
    initTimeoutMs: positiveInteger(env, 'SPACEPORT_INIT_TIMEOUT_MS', DEFAULT_INIT_TIMEOUT_MS),
    appEnv: appVariables(env),
    functionEnv: {
      function_name: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
      memory: Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || 0,
      version: env.AWS_LAMBDA_FUNCTION_VERSION ?? '',
      log_stream: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
      log_group: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    },
  };
}
