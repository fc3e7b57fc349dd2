/**
 * Lambda's limit on a synchronous invocation's request (the event): 6 MiB. Beyond it the Invoke API refuses the
 * call with HTTP 413 before any execution environment sees it, so nothing runs and nothing is logged.
 */
import { MAX_INVOKE_REQUEST_BYTES } from '../../core/limits';

/** What the Invoke API answers an oversized request with: the error code and text Lambda sends (HTTP 413). */
export class InvokeRequestTooLargeError extends Error {
  readonly errorType = 'RequestEntityTooLargeException';
  readonly statusCode = 413;

  constructor(
    /** Size of the refused event, in bytes. */
    readonly bytes: number,
  ) {
    super(`Request must be smaller than ${MAX_INVOKE_REQUEST_BYTES} bytes for the InvokeFunction operation`);
    this.name = 'InvokeRequestTooLargeError';
  }
}
