/**
 * Every failure of the Base and Drive API as the SDKs read it: a status and `{"errors": [...]}`. The JS SDK throws
 * `errors[0]`, so the first message is the one Deta sent (e.g. `Bad query`, which the official tests match
 * exactly) and any detail naming what is wrong and where follows it.
 */
export class DataError extends Error {
  readonly messages: readonly string[];

  constructor(
    readonly status: number,
    message: string,
    detail?: string,
  ) {
    super(detail === undefined ? message : `${message}: ${detail}`);
    this.name = 'DataError';
    this.messages = detail === undefined ? [message] : [message, detail];
  }
}

export const badRequest = (message: string, detail?: string): DataError => new DataError(400, message, detail);

/** The message Deta answered for every query it could not run; the detail says which part is wrong. */
export const badQuery = (detail: string): DataError => new DataError(400, 'Bad query', detail);
