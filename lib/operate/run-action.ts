/**
 * Running a scheduled action of the deployed app now, with the owner's credentials (`invokeAction`, shared with the
 * console function), every failure to reach Lambda reduced to one line.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeAction, type ActionInvokeOutcome } from '../handlers/action-invoke';
import { describeAwsError } from './aws-errors';

export type DeployedActionOutcome =
  | ActionInvokeOutcome
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
  try {
    return await invokeAction(client, target.functionName, actionId);
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

/** What went wrong asking Lambda: a missing function names the fix; the rest reads as every operate command says it. */
function describeInvokeError(error: unknown, functionName: string): string {
  if ((error as Error)?.name === 'ResourceNotFoundException') {
    return `no function '${functionName}' in this account and region (pass --region, or the function's ARN): ${(error as Error).message}`;
  }
  return describeAwsError(error, `invoke '${functionName}'`, 'lambda:InvokeFunction');
}
