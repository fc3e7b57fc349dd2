/** The owner secret as the deployed auth functions read it: cached briefly, re-checked by version, re-read only when rotated. */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PARAMETER_RECHECK_MS, SecureParameter } from '../../lib/handlers/secure-parameter';

const NAME = '/spaceport/Notes/App.Auth.OwnerSecret';
const ssm = mockClient(SSMClient);

describe('SecureParameter', () => {
  let now: number;
  let stored: { value: string; version: number };
  let parameter: SecureParameter;

  beforeEach(() => {
    ssm.reset();
    now = 1_000_000;
    stored = { value: 'first-owner-secret-of-enough-length', version: 1 };
    // Without decryption SSM returns the ciphertext: the value must then never be used.
    ssm
      .on(GetParameterCommand, { Name: NAME, WithDecryption: true })
      .callsFake(async () => ({ Parameter: { Name: NAME, Value: stored.value, Version: stored.version } }));
    ssm
      .on(GetParameterCommand, { Name: NAME, WithDecryption: false })
      .callsFake(async () => ({ Parameter: { Name: NAME, Value: 'AQICAHh-ciphertext', Version: stored.version } }));
    parameter = new SecureParameter(new SSMClient({ region: 'eu-west-1' }), NAME, 'the owner secret', () => now);
  });

  const calls = () => ssm.commandCalls(GetParameterCommand).map((call) => (call.args[0].input.WithDecryption ? 'decrypt' : 'version'));

  it('decrypts once, then trusts the value for the recheck interval', async () => {
    expect(await parameter.value()).toBe('first-owner-secret-of-enough-length');
    now += PARAMETER_RECHECK_MS - 1;
    expect(await parameter.value()).toBe('first-owner-secret-of-enough-length');
    expect(calls()).toEqual(['decrypt']);
  });

  it('after the interval checks the version without decryption, and keeps the value while it is unchanged', async () => {
    await parameter.value();
    now += PARAMETER_RECHECK_MS;
    expect(await parameter.value()).toBe('first-owner-secret-of-enough-length');
    now += PARAMETER_RECHECK_MS - 1;
    await parameter.value();
    expect(calls()).toEqual(['decrypt', 'version']);
  });

  it('sees a rotation within the interval: a new version is decrypted and returned', async () => {
    await parameter.value();
    stored = { value: 'rotated-owner-secret-of-enough-length', version: 2 };
    now += PARAMETER_RECHECK_MS;
    expect(await parameter.value()).toBe('rotated-owner-secret-of-enough-length');
    expect(calls()).toEqual(['decrypt', 'version', 'decrypt']);
  });

  it('fails closed with an error naming the parameter, and tries again on the next call', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('User is not authorized to perform ssm:GetParameter'), { name: 'AccessDeniedException' }));
    await expect(parameter.value()).rejects.toThrow(
      `cannot read the owner secret from the SSM parameter ${NAME}: AccessDeniedException: User is not authorized to perform ssm:GetParameter`,
    );
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'x'.repeat(20), Version: 1 } });
    expect(await parameter.value()).toBe('x'.repeat(20));
  });

  it('refuses an empty parameter', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Version: 1 } });
    await expect(parameter.value()).rejects.toThrow(`the SSM parameter ${NAME} is empty: it must hold the owner secret`);
  });
});
