/**
 * What went wrong asking AWS, in the owner's terms: what to fix, never the SDK's stack. One wording for every
 * command that operates a deployed app, so "no credentials" reads the same from `actions`, `logs` and `trigger`.
 */

/** Raised by the operate commands for problems the owner can fix (no such stack, not a Spaceport app...). */
export class DeployedAppError extends Error {
  override name = 'DeployedAppError';
}

/**
 * One line for an error the AWS SDK raised while doing `what` (e.g. "read stack 'x'", "pause schedule 'y'").
 * `permission` names the IAM action the call needed, for access-denied errors.
 */
export function describeAwsError(error: unknown, what: string, permission?: string): string {
  const failure = error as Error & { code?: string; $metadata?: unknown };
  const message = failure?.message ?? String(error);
  switch (failure?.name) {
    case 'CredentialsProviderError':
      return `cannot ${what}: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`;
    case 'AccessDeniedException':
    case 'AccessDeniedError':
    case 'AccessDenied':
      return `cannot ${what}: access denied${permission ? ` (needs ${permission})` : ''}: ${message}`;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return `cannot ${what}: your AWS session expired; sign in again (aws sso login, or fresh credentials)`;
  }
  if (/region is missing/i.test(message)) return `cannot ${what}: no AWS region (pass --region, or set AWS_REGION)`;
  // Network failures carry the system error code (ECONNREFUSED, ENOTFOUND...).
  if (failure?.code) return `cannot ${what}: AWS could not be reached: ${message}`;
  return `cannot ${what}: ${failure?.name ?? 'Error'}: ${message}`;
}
