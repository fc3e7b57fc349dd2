/**
 * Running a scheduled action of the deployed app now: a synchronous Lambda Invoke of the declaring micro's function
 * with exactly the event EventBridge Scheduler sends, so the run is the one the schedule would make.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { actionEvent } from '../core/action-event';
import { describeAwsError } from './aws-errors';

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
    return { kind: 'unreachable', reason: describeInvokeError(error, target.functionName) };
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

/** What went wrong asking Lambda: a missing function names the fix; the rest reads as every operate command says it. */
function describeInvokeError(error: unknown, functionName: string): string {
  if ((error as Error)?.name === 'ResourceNotFoundException') {
    return `no function '${functionName}' in this account and region (pass --region, or the function's ARN): ${(error as Error).message}`;
  }
  return describeAwsError(error, `invoke '${functionName}'`, 'lambda:InvokeFunction');
}
