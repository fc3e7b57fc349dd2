/**
 * The environment variables Lambda gives a function's processes, built for one local execution environment.
 *
 * Node heap: Lambda's managed Node runtimes size V8 from memory and pass `--max-old-space-size` /
 * `--max-semi-space-size` on the runtime's own node command line (see `lib/core/node-heap.ts`); they set no NODE_OPTIONS.
 * So neither does this: the function's own NODE_OPTIONS, if any, passes through unchanged. The Spaceport adapter
 * gives the app's `node` the same flags itself, in the cloud and here alike.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LAMBDA_RESERVED_ENV } from '../../spacefile/presets';

export type EmulatedRuntime = string;

/** Lambda's PATH, with the host's own PATH appended so host-installed `node`/`python3` are found locally. */
const LAMBDA_PATH = ['/var/lang/bin', '/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'];
const LAMBDA_LD_LIBRARY_PATH = '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';

/** What Lambda puts in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (the execution role's keys). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * What a local function gets unless the developer opts in to their own credentials: variables that exist, as on
 * Lambda, and say what they are; AWS refuses them (`The security token included in the request is invalid`).
 */
export const PLACEHOLDER_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'ASIASPACEPORTDEVNONE',
  secretAccessKey: 'spaceport-dev-gives-functions-no-AWS-credentials',
  sessionToken: 'spaceport-dev-gives-functions-no-AWS-credentials:run-spaceport-dev-with---aws-credentials-to-use-yours',
};

/** Lambda's refusal of a function configuration that sets a reserved variable; undefined when none is set. */
export function reservedVariablesProblem(functionEnvironment: Readonly<Record<string, string>>): string | undefined {
  const reserved = Object.keys(functionEnvironment).filter((key) => LAMBDA_RESERVED_ENV.has(key));
  if (reserved.length === 0) return undefined;
  return (
    'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
    `contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`
  );
}

export interface LambdaVariablesInput {
  readonly functionName: string;
  readonly runtime: EmulatedRuntime;
  readonly handler?: string;
  readonly memoryMb: number;
  readonly runtimeApi: string;
  /** The task root and layer directory as the processes see them (`/var/task` and `/opt` when remapped). */
  readonly taskRoot: string;
  readonly optDir: string;
  /** Host directories to substitute for `/var/task` and `/opt` in the function's variables when paths are not remapped. */
  readonly remap?: { readonly taskRoot: string; readonly optDir: string };
  readonly functionEnvironment: Readonly<Record<string, string>>;
  readonly hostPath?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default PLACEHOLDER_CREDENTIALS */
  readonly credentials?: AwsCredentials;
}

function logStreamName(): string {
  const now = new Date();
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

function remapValue(value: string, remap: LambdaVariablesInput['remap']): string {
  if (!remap) return value;
  for (const [from, to] of [
    ['/opt', remap.optDir],
    ['/var/task', remap.taskRoot],
  ] as const) {
    if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

/** The PATH a function's processes get: Lambda's (`/opt/bin` being `optDir/bin`), then the host's own directories. */
export function lambdaSearchPath(optDir: string, hostPath = ''): string {
  const lambdaDirs = LAMBDA_PATH.map((dir) => (dir === '/opt/bin' ? path.join(optDir, 'bin') : dir));
  const hostDirs = hostPath.split(':').filter((dir) => dir !== '' && !LAMBDA_PATH.includes(dir));
  return [...lambdaDirs, ...hostDirs].join(':');
}

export function lambdaVariables(input: LambdaVariablesInput): Record<string, string> {
  const fnEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.functionEnvironment)) fnEnv[key] = remapValue(value, input.remap);

  const region = input.region ?? 'us-east-1';
  const credentials = input.credentials ?? PLACEHOLDER_CREDENTIALS;
  const runtimeSpecific: Record<string, string> = {};
  if (input.runtime.startsWith('nodejs')) {
    const major = /^nodejs(\d+)/.exec(input.runtime)?.[1];
    runtimeSpecific.NODE_PATH = [
      `${input.optDir}/nodejs/node${major}/node_modules`,
      `${input.optDir}/nodejs/node_modules`,
      '/var/runtime/node_modules',
      '/var/runtime',
      input.taskRoot,
    ].join(':');
  } else if (input.runtime.startsWith('python')) {
    const version = input.runtime.slice('python'.length);
    runtimeSpecific.PYTHONPATH = [`${input.optDir}/python`, `${input.optDir}/python/lib/python${version}/site-packages`, '/var/runtime']
      .concat(fnEnv.PYTHONPATH ? [fnEnv.PYTHONPATH] : [])
      .join(':');
  }

  return {
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: lambdaSearchPath(input.optDir, input.hostPath),
    LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH.replace('/opt/lib', path.join(input.optDir, 'lib')).replace(/\/var\/task/g, input.taskRoot),
    ...fnEnv,
    ...runtimeSpecific,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_LAMBDA_RUNTIME_API: input.runtimeApi,
    _HANDLER: input.handler ?? '',
    LAMBDA_TASK_ROOT: input.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${input.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    // OS-only runtimes (provided.*) have no AWS_EXECUTION_ENV on Lambda.
    ...(input.runtime.startsWith('provided') ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime}` }),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
}
