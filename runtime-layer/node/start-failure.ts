/** The app did not become ready; `message` carries its output's tail for the init error. */
export class StartFailure extends Error {
  constructor(
    /** One line for the logs, where the app's own output already stands. */
    readonly summary: string,
    outputTail: string,
  ) {
    super(`${summary}.\nLast output:\n${outputTail === '' ? '(none)' : outputTail}`);
  }
}
