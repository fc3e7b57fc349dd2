import type { IConstruct } from 'constructs';
import type { SourceLocation } from '../spacefile/model';

/**
 * A mistake in the app's definition found while building the stack. The message names the construct path and,
 * when the mistake comes from the Spacefile, the line to fix, so `cdk synth` prints one line instead of a trace.
 */
export class SpaceportConstructError extends Error {
  constructor(scope: IConstruct, message: string, location?: SourceLocation) {
    super(`${scope.node.path}: ${message}${location ? ` (${formatLocation(location)})` : ''}`);
    this.name = 'SpaceportConstructError';
  }
}

/** `Spacefile:12:5`, the form editors and terminals turn into a link. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
