/**
 * A secret a deployed function reads at run time from an SSM Parameter Store SecureString (the owner secret), so
 * that rotating it needs no deployment. The decrypted value is kept for `PARAMETER_RECHECK_MS`; after that one
 * GetParameter without decryption (no KMS request, so no charge) compares the parameter's version, and only a new
 * version is fetched decrypted. A rotation therefore reaches every warm function within the recheck interval, and a
 * busy function costs one free version check per interval instead of a KMS decryption per request.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** How long a read value is trusted before its version is checked again: the delay before a rotation takes effect. */
export const PARAMETER_RECHECK_MS = 30_000;

export class SecureParameter {
  private cached: { value: string; version: number | undefined; checkedAt: number } | undefined;

  constructor(
    private readonly client: SSMClient,
    readonly name: string,
    /** What the parameter holds, for errors: "the owner secret". */
    private readonly holds: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The parameter's current value, as of at most `PARAMETER_RECHECK_MS` ago. Errors fail the request (closed). */
  async value(): Promise<string> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now - cached.checkedAt < PARAMETER_RECHECK_MS) return cached.value;
    if (cached) {
      const { Parameter } = await this.get(false);
      if (Parameter?.Version === cached.version) {
        cached.checkedAt = now;
        return cached.value;
      }
    }
    const { Parameter } = await this.get(true);
    if (!Parameter?.Value) throw new Error(`the SSM parameter ${this.name} is empty: it must hold ${this.holds}`);
    this.cached = { value: Parameter.Value, version: Parameter.Version, checkedAt: now };
    return Parameter.Value;
  }

  private async get(decrypted: boolean) {
    try {
      return await this.client.send(new GetParameterCommand({ Name: this.name, WithDecryption: decrypted }));
    } catch (error) {
      const { name, message } = error as Error;
      throw new Error(`cannot read ${this.holds} from the SSM parameter ${this.name}: ${name}: ${message}`, { cause: error });
    }
  }
}

/** Reads a required environment variable of a deployed function, naming it when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this function must be deployed by Spaceport's constructs`);
  return value;
}
