/**
 * The environment variables of a micro's function: one definition for the deployed function (lib/constructs) and
 * for `spaceport dev` (lib/local), so the two cannot drift in which variables exist or which value wins. The
 * platform's variables always win over presets; the Spacefile validator refuses presets named like the runtime
 * adapter's and ignores, with a warning, presets named like Space's own (`presets.ts`).
 */
import type { Micro } from './model';

/** The executable the managed runtimes start instead of their own client, once the adapter layer is at `/opt`. */
const ADAPTER_EXEC_WRAPPER = '/opt/spaceport/bootstrap';

/** What Space set on every micro (apps read them; `DETA_RUNTIME` and `DETA_API_KEY` are undocumented but used). */
export const SPACE_VARIABLES: ReadonlySet<string> = new Set([
  'DETA_PROJECT_KEY',
  'DETA_API_KEY',
  'DETA_SPACE_APP',
  'DETA_RUNTIME',
  'DETA_SPACE_APP_VERSION',
  'DETA_SPACE_APP_HOSTNAME',
  'DETA_SPACE_APP_MICRO_NAME',
  'DETA_SPACE_APP_MICRO_TYPE',
]);

/** True for what configures the runtime adapter: `PORT`, `AWS_LAMBDA_EXEC_WRAPPER` and every `SPACEPORT_*`. */
export function isAdapterVariable(name: string): boolean {
  return name === 'PORT' || name === 'AWS_LAMBDA_EXEC_WRAPPER' || name.startsWith('SPACEPORT_');
}

/** The values only the place the micro runs in knows. */
export interface PlatformValues {
  /** `DETA_PROJECT_KEY`: the app's Base and Drive key. */
  readonly projectKey: string;
  /** `DETA_API_KEY`: the app's internal key, let in like the owner as `X-API-Key`. */
  readonly internalKey: string;
  /** `DETA_SPACE_APP_HOSTNAME`: the app's host, no scheme. */
  readonly hostname: string;
  /** `DETA_SPACE_APP_VERSION`. */
  readonly appVersion: string;
  /** The command that starts the micro's server (`run`, or locally `dev` first); none serves `serve` statically. */
  readonly command: string | undefined;
  /** `PORT` of the micro's server; undefined when each execution environment gets its own (locally). */
  readonly port?: string;
  /** Where the micro's SDK finds Base and Drive and how it trusts them (`DETA_BASE_HOST`, ...), when the platform serves them. */
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * Where every official SDK finds the app's Base and Drive served at `host` (no scheme; the SDKs speak https): the JS
 * and Python SDKs read the hosts, deta-go whole root endpoints. The same in the cloud and under `spaceport dev`.
 */
export function dataHostVariables(host: string): Record<string, string> {
  return {
    DETA_BASE_HOST: host,
    DETA_DRIVE_HOST: host,
    DETA_BASE_ROOT_ENDPOINT: `https://${host}/v1`,
    DETA_DRIVE_ROOT_ENDPOINT: `https://${host}/v1`,
  };
}

export function functionVariables(micro: Micro, platform: PlatformValues, presets: Readonly<Record<string, string>>): Record<string, string> {
  const server: Record<string, string> =
    platform.command !== undefined
      ? { SPACEPORT_RUN: platform.command }
      : micro.kind === 'static'
        ? { SPACEPORT_STATIC_DIR: micro.serve ?? '.' }
        : {};
  return {
    ...presets,
    ...platform.data,
    AWS_LAMBDA_EXEC_WRAPPER: ADAPTER_EXEC_WRAPPER,
    ...(platform.port !== undefined && { PORT: platform.port }),
    ...server,
    SPACEPORT_BASE_PATH: micro.primary ? '' : micro.path,
    DETA_PROJECT_KEY: platform.projectKey,
    DETA_API_KEY: platform.internalKey,
    DETA_SPACE_APP: 'true',
    DETA_RUNTIME: 'true',
    DETA_SPACE_APP_VERSION: platform.appVersion,
    DETA_SPACE_APP_HOSTNAME: platform.hostname,
    DETA_SPACE_APP_MICRO_NAME: micro.name,
    DETA_SPACE_APP_MICRO_TYPE: micro.primary ? 'primary' : 'normal',
  };
}
