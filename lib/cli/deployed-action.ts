/**
 * Running a scheduled action of the deployed app now: a synchronous Lambda Invoke of the declaring micro's function
 * with exactly the event EventBridge Scheduler sends, so the run is the one the schedule would make.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { actionEvent } from '../core/action-event';

export type DeployedActionOutcome =
  /** The app answered the action (status < 400); `body` is its response body. */
  | { readonly kind: 'ok'; readonly statusCode?: number; readonly body: string; readonly durationMs: number }
  /** The invocation ran and failed: the adapter's `Spaceport.ActionFailed`, a timeout, a crash... */
  | { readonly kind: 'failed'; readonly errorType: string; readonly errorMessage: string; readonly durationMs: number }
  /** Lambda could not be asked at all (credentials, permissions, no such function, no endpoint): one line why. */
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface DeployedActionTarget {
  /** The function's name or ARN (the stack's trigger output names it). */
  readonly functionName: string;
  /** @default the region in a function ARN, else the SDK's (AWS_REGION, the profile) */
  readonly region?: string;
}

/** Invokes `target` with the action event of `actionId` and waits for the run's outcome. */
export async function invokeDeployedAction(actionId: string, target: DeployedActionTarget): Promise<DeployedActionOutcome> {
  const region = target.region ?? regionOfArn(target.functionName);
  const client = new LambdaClient(region ? { region } : {});
  const started = Date.now();
  try {
    const reply = await client.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(actionEvent(actionId))),
      }),
    );
    const durationMs = Date.now() - started;
    const payload = parsePayload(reply.Payload);
    if (reply.FunctionError) {
      return {
        kind: 'failed',
        errorType: stringField(payload, 'errorType') ?? reply.FunctionError,
        errorMessage: stringField(payload, 'errorMessage') ?? '(no error message)',
        durationMs,
      };
    }
    const statusCode = payload && typeof payload === 'object' && 'statusCode' in payload ? Number(payload.statusCode) : undefined;
    return { kind: 'ok', statusCode, body: stringField(payload, 'body') ?? '', durationMs };
  } catch (error) {
    return { kind: 'unreachable', reason: describeAwsError(error as Error & { code?: string }, target.functionName) };
  } finally {
    client.destroy();
  }
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` names its region; a bare name does not. */
function regionOfArn(functionName: string): string | undefined {
  return /^arn:[^:]+:lambda:([^:]+):/.exec(functionName)?.[1];
}

function parsePayload(bytes: Uint8Array | undefined): unknown {
  const text = bytes ? Buffer.from(bytes).toString('utf8') : '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function stringField(value: unknown, name: string): string | undefined {
  const field = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** What went wrong asking Lambda, in the user's terms: what to fix, not the SDK's stack. */
function describeAwsError(error: Error & { code?: string }, functionName: string): string {
  switch (error.name) {
    case 'CredentialsProviderError':
      return 'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
    case 'ResourceNotFoundException':
      return `no function '${functionName}' in this account and region (pass --region, or the function's ARN): ${error.message}`;
    case 'AccessDeniedException':
    case 'AccessDeniedError':
      return `access denied: the credentials may not invoke '${functionName}' (lambda:InvokeFunction): ${error.message}`;
  }
  if (/region is missing/i.test(error.message)) return 'no AWS region: pass --region, set AWS_REGION, or give the function ARN';
  // Network failures carry the system error code (ECONNREFUSED, ENOTFOUND...).
  if (error.code) return `could not reach Lambda for '${functionName}': ${error.message}`;
  return `${error.name}: ${error.message}`;
}
