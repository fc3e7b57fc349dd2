/**
 * The AWS credentials the micros get under `spaceport dev`. On Lambda a function always has its execution role's
 * keys; locally it gets placeholders AWS refuses (`PLACEHOLDER_CREDENTIALS`), unless the developer opts in with
 * `--aws-credentials` to their own, from the SDK's default chain (environment, profile, SSO, credential process).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentials } from '../emulator/lambda-variables';
import { UsageError } from '../../core/errors';

/**
 * The developer's credentials, resolved once now so a missing or expired login fails `spaceport dev` at start
 * with what to do, then asked again at each environment's INIT (the chain refreshes temporary credentials).
 */
export async function developerCredentials(): Promise<() => Promise<AwsCredentials>> {
  const provider = defaultProvider();
  try {
    await provider();
  } catch (error) {
    throw new UsageError(
      `--aws-credentials: no AWS credentials found for the micros (${(error as Error).message.split('\n')[0]}): ` +
        'set AWS_PROFILE (and run `aws sso login` for an SSO profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  return async () => {
    const { accessKeyId, secretAccessKey, sessionToken } = await provider();
    return { accessKeyId, secretAccessKey, sessionToken };
  };
}
