/**
 * The owner's console function behind the HTTP API's `/__space` routes (after the authorizer let the owner's
 * session in): payload 2.0 events adapted to the shared console handler (lib/console) and its answers back, over
 * the cloud `ConsoleBackend`. Bundled by esbuild for Lambda by `SpaceConsole`, with the app's overview beside it as
 * `console-app.json` (fixed at synth, never read from a Spacefile) and its resources' names in the environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SESSION_COOKIE } from '../auth/rules';
import { RotatingSessionSigner } from '../auth/session';
import { rotatingCsrfKey } from '../console/access';
import type { ConsoleBackend } from '../console/backend';
import { handleConsoleRequest } from '../console/handler';
import type { ConsoleRequest, ConsoleResponse } from '../console/http';
import { AUTH_ENV } from './authorizer';
import { bufferedResult, type BufferedHttpResult, MAX_BUFFERED_BODY_BYTES } from './buffered-result';
import { cloudConsoleBackend, type CloudConsoleConfig } from './console-backend';
import { requiredEnv, SecureParameter } from './secure-parameter';
import type { HttpApiRequestEvent } from './signin-handler';

/** The environment `SpaceConsole` sets: the owner secret's parameter (as for sign-in) and the resources' names. */
export const CONSOLE_ENV = {
  ownerSecretParameter: AUTH_ENV.ownerSecretParameter,
  /** JSON: `CloudConsoleConfig` without `app` and `actions` (those are in `CONSOLE_APP_FILE`), plus the app's URL. */
  resources: 'SPACEPORT_CONSOLE_RESOURCES',
} as const;

/** The file bundled beside the handler: the app's overview and actions, as synth saw the Spacefile. */
export const CONSOLE_APP_FILE = 'console-app.json';

/** What `CONSOLE_APP_FILE` holds: what synth knows, schedule names included when they are fixed at synth. */
export type ConsoleAppFile = Pick<CloudConsoleConfig, 'actions' | 'scheduleNames'> & { readonly app: Omit<CloudConsoleConfig['app'], 'url'> };

/** What `CONSOLE_ENV.resources` holds: the names known only at deploy (Lambda allows 4 KB of environment in all). */
export type ConsoleResources = Omit<CloudConsoleConfig, 'app' | 'actions'> & { readonly url: string };

/** The payload 2.0 request as the console reads it: the sign-in function's fields plus the cookies API Gateway splits off. */
export interface ConsoleEvent extends HttpApiRequestEvent {
  readonly cookies?: readonly string[];
}

export type ConsoleResult = BufferedHttpResult;

export interface ConsoleFunctionDependencies {
  readonly backend: ConsoleBackend;
  /** The owner secret as it is now, asked for on every request so a rotation takes effect on the next one. */
  readonly readOwnerSecret: () => Promise<string>;
  readonly now?: () => number;
}

export function createConsoleFunction(deps: ConsoleFunctionDependencies): (event: ConsoleEvent) => Promise<ConsoleResult> {
  const signer = new RotatingSessionSigner(deps.readOwnerSecret, true);
  const csrfKey = rotatingCsrfKey();
  return async (event) => {
    const secret = await deps.readOwnerSecret();
    const sessions = await signer.current();
    const response = await handleConsoleRequest(consoleRequest(event), deps.backend, {
      session: { cookieName: SESSION_COOKIE, verify: (token, at) => sessions.verify(token, at) },
      csrfKey: csrfKey(secret),
      now: deps.now,
    });
    return consoleResult(response);
  };
}

/** Payload 2.0 keeps cookies apart in `cookies[]`; the console reads them from one `cookie` header, as HTTP sends them. */
export function consoleRequest(event: ConsoleEvent): ConsoleRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  if (event.cookies && event.cookies.length > 0) headers['cookie'] = [...event.cookies, ...(headers['cookie'] ? [headers['cookie']] : [])].join('; ');
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.rawQueryString,
    headers,
    body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/** A console answer as a buffered payload 2.0 result; a download too large for one is refused, naming what reads it. */
async function consoleResult(response: ConsoleResponse): Promise<ConsoleResult> {
  return (
    (await bufferedResult(response.status, response.headers, response.body)) ?? {
      statusCode: 413,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: `This file is larger than the ${MAX_BUFFERED_BODY_BYTES / 1024 / 1024} MiB a Lambda response can carry: download it with a Deta SDK, or export the app's data with 'spaceport data export'.`,
      isBase64Encoded: false,
    }
  );
}

let deployed: ((event: ConsoleEvent) => Promise<ConsoleResult>) | undefined;

/** The Lambda entry point: configured from the bundled overview and the environment on the first invocation. */
export async function handler(event: ConsoleEvent): Promise<ConsoleResult> {
  deployed ??= consoleFromEnvironment();
  return deployed(event);
}

function consoleFromEnvironment(): (event: ConsoleEvent) => Promise<ConsoleResult> {
  const overview = JSON.parse(readFileSync(join(__dirname, CONSOLE_APP_FILE), 'utf8')) as ConsoleAppFile;
  const { url, ...resources } = JSON.parse(requiredEnv(CONSOLE_ENV.resources)) as ConsoleResources;
  const ownerSecret = new SecureParameter(new SSMClient({}), requiredEnv(CONSOLE_ENV.ownerSecretParameter), 'the owner secret');
  const backend = cloudConsoleBackend(
    {
      ...resources,
      app: { ...overview.app, url },
      actions: overview.actions,
      scheduleNames: [...overview.scheduleNames, ...resources.scheduleNames],
    },
    {
      dynamodb: new DynamoDBClient({}),
      s3: new S3Client({}),
      scheduler: new SchedulerClient({}),
      lambda: new LambdaClient({}),
      logs: new CloudWatchLogsClient({}),
    },
  );
  return createConsoleFunction({ backend, readOwnerSecret: () => ownerSecret.value() });
}
