/**
 * Running a scheduled action now: a synchronous Lambda Invoke of the declaring micro's function with exactly the
 * event EventBridge Scheduler sends, so the run is the one the schedule would make. Used by `spaceport actions run`
 * and `spaceport trigger` (lib/operate) and by the owner's console function.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { actionEvent } from '../core/action-event';

export type ActionInvokeOutcome =
  /** The app answered the action (status < 400); `body` is its response body. */
  | { readonly kind: 'ok'; readonly statusCode?: number; readonly body: string; readonly durationMs: number }
  /** The invocation ran and failed: the adapter's `Spaceport.ActionFailed`, a timeout, a crash... */
  | { readonly kind: 'failed'; readonly errorType: string; readonly errorMessage: string; readonly durationMs: number };

/** Invokes `functionName` with the action event of `actionId` and waits for the run; an SDK error is thrown as is. */
export async function invokeAction(client: LambdaClient, functionName: string, actionId: string): Promise<ActionInvokeOutcome> {
  const { functionError, payload, durationMs } = await invokeSync(client, functionName, actionEvent(actionId));
  if (functionError) {
    return {
      kind: 'failed',
      errorType: stringField(payload, 'errorType') ?? functionError,
      errorMessage: stringField(payload, 'errorMessage') ?? '(no error message)',
      durationMs,
    };
  }
  const statusCode = payload && typeof payload === 'object' && 'statusCode' in payload ? Number(payload.statusCode) : undefined;
  return { kind: 'ok', statusCode, body: stringField(payload, 'body') ?? '', durationMs };
}

/** A synchronous invocation's reply: Lambda's `FunctionError`, the payload as text and parsed (its text when not JSON). */
export interface InvokeReply {
  readonly functionError?: string;
  readonly text: string;
  readonly payload: unknown;
  readonly durationMs: number;
}

/** Invokes `functionName` with `event` as JSON and waits for its reply (the console's App Actions, a run now). */
export async function invokeSync(client: LambdaClient, functionName: string, event: unknown): Promise<InvokeReply> {
  const started = Date.now();
  const reply = await client.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const durationMs = Date.now() - started;
  const text = reply.Payload ? Buffer.from(reply.Payload).toString('utf8') : '';
  return { functionError: reply.FunctionError, text, payload: parsePayload(text), durationMs };
}

function parsePayload(text: string): unknown {
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
