/**
 * Rotating the owner secret in the cloud: the deployed authorizer and sign-in function, configured from their
 * environment as SpaceAuth sets it, read the secret from its SSM parameter (answered at the request level by
 * aws-sdk-client-mock) and stop honouring the old one within PARAMETER_RECHECK_MS, without a cold start.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH_ENV, handler as authorizer } from '../../lib/handlers/authorizer';
import { accessPolicyOf } from '../../lib/auth/policy';
import { SessionSigner } from '../../lib/auth/session';
import { handler as signin } from '../../lib/handlers/signin-handler';
import { loadSpacefile } from '../../lib/spacefile/load';
import { PARAMETER_RECHECK_MS } from '../../lib/handlers/secure-parameter';
import { authorizerEvent, cookiePair, INTERNAL_KEY } from './fixtures';

const PARAMETER = '/spaceport/Notes/App.Auth.OwnerSecret';
const OLD = 'the-owner-secret-before-rotation';
const NEW = 'the-owner-secret-after-the-rotation';
const ssm = mockClient(SSMClient);
let stored = { value: OLD, version: 1 };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-29T12:00:00Z'));
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    [AUTH_ENV.policy]: JSON.stringify(accessPolicyOf(loadSpacefile('examples/hello/Spacefile'))),
    [AUTH_ENV.ownerSecretParameter]: PARAMETER,
    [AUTH_ENV.internalKey]: INTERNAL_KEY,
    [AUTH_ENV.apiKeysTable]: 'ApiKeys',
  });
  ssm.on(GetParameterCommand, { Name: PARAMETER }).callsFake(async ({ WithDecryption }) => ({
    Parameter: { Name: PARAMETER, Version: stored.version, Value: WithDecryption ? stored.value : 'AQICAHh-ciphertext' },
  }));
});

afterAll(() => {
  vi.useRealTimers();
  ssm.restore();
  for (const name of Object.values(AUTH_ENV)) delete process.env[name];
});

const signinWith = (secret: string) =>
  signin({
    rawPath: '/__space/signin',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: { http: { method: 'POST' } },
    body: new URLSearchParams({ secret, next: '/' }).toString(),
    isBase64Encoded: false,
  });

describe('rotating the deployed owner secret', () => {
  it('ends old sessions and refuses the old secret within the recheck interval, no redeploy or cold start needed', async () => {
    const oldSession = cookiePair(new SessionSigner(OLD, true).issueCookie(Date.now()));
    const request = (cookie: string) => authorizer(authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /{proxy+}', cookies: [cookie] }));
    expect(await request(oldSession)).toMatchObject({ isAuthorized: true });
    expect((await signinWith(OLD)).statusCode).toBe(303);

    stored = { value: NEW, version: 2 }; // aws ssm put-parameter --overwrite
    vi.advanceTimersByTime(PARAMETER_RECHECK_MS - 1000);
    expect(await request(oldSession)).toMatchObject({ isAuthorized: true }); // the documented delay: at most 30 s
    vi.advanceTimersByTime(1000);

    expect(await request(oldSession)).toMatchObject({ isAuthorized: false });
    expect((await signinWith(OLD)).statusCode).toBe(401);
    const signedIn = await signinWith(NEW);
    expect(signedIn.statusCode).toBe(303);
    expect(await request(cookiePair(signedIn.cookies[0]!))).toMatchObject({ isAuthorized: true });
    // The secret itself never reaches a function's configuration: only the parameter's name does.
    expect(Object.values(process.env)).not.toContain(NEW);
  });
});
