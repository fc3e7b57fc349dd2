/**
 * The app's generated secrets: the deploy-time custom resource that keeps them in free SSM SecureString parameters
 * (SSM answered at the request level by aws-sdk-client-mock; CloudFormation's response URL by a real local server),
 * and what the construct puts in the template (never a value).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, Stack } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpaceGeneratedSecret } from '../../lib/constructs/generated-secret';
import { applySecretEvent, type GeneratedSecretEvent, type GeneratedSecretProperties, handler } from '../../lib/handlers/generated-secret';
import { ENV, synth } from './helpers';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'eu-west-1' });
const NAME = '/spaceport/Notes/App.Auth.OwnerSecret';
const props = (overrides: Partial<GeneratedSecretProperties> = {}) => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:gen',
  ParameterName: NAME,
  Kind: 'owner-secret' as const,
  Description: 'Owner secret',
  Generation: '1',
  ...overrides,
});
const common = { ResponseURL: 'http://127.0.0.1:1/', StackId: 'stack', RequestId: 'req', LogicalResourceId: 'Secret' };
const create = (overrides: Partial<GeneratedSecretProperties> = {}): GeneratedSecretEvent => ({
  ...common,
  RequestType: 'Create',
  ResourceProperties: props(overrides),
});
const update = (overrides: Partial<GeneratedSecretProperties>, old: Partial<GeneratedSecretProperties> = {}): GeneratedSecretEvent => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: NAME,
  ResourceProperties: props(overrides),
  OldResourceProperties: props(old),
});
const notFound = () => Object.assign(new Error('ParameterNotFound'), { name: 'ParameterNotFound' });
const puts = () => ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input);

beforeEach(() => ssm.reset());

describe('the secret generator (custom resource)', () => {
  it('creates a free standard SecureString with a new owner secret and returns it', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const outcome = await applySecretEvent(create(), client);
    expect(outcome.parameterName).toBe(NAME);
    expect(outcome.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(puts()).toEqual([
      { Name: NAME, Description: 'Owner secret', Value: outcome.value, Type: 'SecureString', Tier: 'Standard', Overwrite: false },
    ]);
  });

  it('adopts a parameter that already exists (a secret retained from an earlier stack) instead of replacing it', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'a-retained-owner-secret-value', Version: 3 } });
    expect(await applySecretEvent(create(), client)).toEqual({ parameterName: NAME, value: 'a-retained-owner-secret-value' });
    expect(puts()).toEqual([]);
  });

  it('refuses to adopt a value that cannot be this kind of secret, naming the parameter', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'short', Version: 1 } });
    await expect(applySecretEvent(create(), client)).rejects.toThrow(`the SSM parameter ${NAME} holds something that is not the owner secret`);
  });

  it('keeps the stored value (a rotation the owner put there included) on an update of the same generation', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'owner-put-this-secret-by-hand', Version: 2 } });
    expect(await applySecretEvent(update({ Description: 'new words' }), client)).toEqual({
      parameterName: NAME,
      value: 'owner-put-this-secret-by-hand',
    });
    expect(puts()).toEqual([]);
  });

  it('generates and overwrites a new value when the generation changes', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'the-old-owner-secret-value', Version: 1 } });
    const outcome = await applySecretEvent(update({ Generation: '2' }), client);
    expect(outcome.value).not.toBe('the-old-owner-secret-value');
    expect(puts()).toEqual([expect.objectContaining({ Name: NAME, Value: outcome.value, Overwrite: true, Tier: 'Standard' })]);
  });

  it('keeps the project id of a project key across a rotation (data is keyed by it)', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const first = await applySecretEvent(create({ Kind: 'project-key', ProjectId: 'ab12cd34' }), client);
    const second = await applySecretEvent(
      update({ Kind: 'project-key', ProjectId: 'ab12cd34', Generation: '2' }, { Kind: 'project-key', ProjectId: 'ab12cd34' }),
      client,
    );
    for (const { value } of [first, second]) expect(value).toMatch(/^ab12cd34_[A-Za-z0-9]{32}$/);
    expect(second.value).not.toBe(first.value);
  });

  it('makes internal keys the local runtime would accept', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    expect((await applySecretEvent(create({ Kind: 'internal-key' }), client)).value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('deletes its own parameter, tolerates one already gone, and never deletes a parameter it did not name', async () => {
    ssm.on(DeleteParameterCommand).rejectsOnce(notFound()).resolves({});
    const remove = (physicalId: string): GeneratedSecretEvent => ({
      ...common,
      RequestType: 'Delete',
      PhysicalResourceId: physicalId,
      ResourceProperties: props(),
    });
    await applySecretEvent(remove(NAME), client);
    await applySecretEvent(remove(NAME), client);
    await applySecretEvent(remove('2026/11/29/[$LATEST]abc'), client);
    expect(ssm.commandCalls(DeleteParameterCommand).map((call) => call.args[0].input.Name)).toEqual([NAME, NAME]);
  });
});

describe('the generator answering CloudFormation', () => {
  let url: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.end();
    });
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=x`;
  });
  afterAll(() => server.close());
  beforeEach(() => (received.length = 0));

  it('PUTs SUCCESS with the value as a NoEcho attribute, and logs only the parameter name', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await handler({ ...create(), ResponseURL: url });
      const [answer] = received;
      expect(answer!.headers['content-type']).toBe('');
      expect(answer!.body).toEqual({
        Status: 'SUCCESS',
        PhysicalResourceId: NAME,
        NoEcho: true,
        Data: { Value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        StackId: 'stack',
        RequestId: 'req',
        LogicalResourceId: 'Secret',
      });
      const logged = JSON.stringify(log.mock.calls);
      expect(logged).toContain(NAME);
      expect(logged).not.toContain((answer!.body.Data as { Value: string }).Value);
    } finally {
      log.mockRestore();
    }
  });

  it('PUTs FAILED with the reason when SSM refuses, so the deployment stops at once instead of waiting an hour', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('not authorized to perform ssm:GetParameter'), { name: 'AccessDeniedException' }));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await handler({ ...create(), ResponseURL: url });
    } finally {
      vi.restoreAllMocks();
    }
    expect(received[0]!.body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: NAME,
      Reason: 'AccessDeniedException: not authorized to perform ssm:GetParameter',
    });
    expect(error).toHaveBeenCalled();
  });
});

describe('SpaceGeneratedSecret in a template', () => {
  it('holds no value anywhere in the synthesized template, only names and GetAtt references', () => {
    const { template } = synth({ spacefile: 'examples/hello/Spacefile' });
    const text = JSON.stringify(template.toJSON());
    const secrets = template.findResources('Custom::SpaceportSecret');
    expect(
      Object.values(secrets)
        .map((secret) => secret.Properties.Kind)
        .sort(),
    ).toEqual(['internal-key', 'owner-secret', 'project-key']);
    for (const secret of Object.values(secrets)) {
      expect(Object.keys(secret.Properties).sort()).toEqual(
        [
          'Description',
          'Generation',
          'Kind',
          'ParameterName',
          'ServiceToken',
          ...(secret.Properties.Kind === 'project-key' ? ['ProjectId'] : []),
        ].sort(),
      );
    }
    expect(text).not.toMatch(/resolve:(secretsmanager|ssm)/);
    // One generator for the stack, whatever the number of secrets.
    expect(
      Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => /generates the app secrets/.test(fn.Properties.Description)),
    ).toHaveLength(1);
  });

  it('rotates on a new secrets generation (prop or CDK context), and only then', () => {
    const generation = (options: { context?: Record<string, unknown>; secretsGeneration?: string }) => {
      const { template } = synth(
        { spacefile: 'examples/hello/Spacefile', secretsGeneration: options.secretsGeneration },
        { context: options.context },
      );
      return Object.values(template.findResources('Custom::SpaceportSecret')).map((secret) => secret.Properties.Generation);
    };
    expect(generation({})).toEqual(['1', '1', '1']);
    expect(generation({ context: { 'spaceport:secrets-generation': '2026-11-29' } })).toEqual(['2026-11-29', '2026-11-29', '2026-11-29']);
    expect(generation({ secretsGeneration: '7', context: { 'spaceport:secrets-generation': '2026-11-29' } })).toEqual(['7', '7', '7']);
  });

  it('refuses two secrets that would share a parameter, naming the construct', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new SpaceGeneratedSecret(stack, 'a b', { kind: 'internal-key', description: 'one' });
    expect(() => new SpaceGeneratedSecret(stack, 'a_b', { kind: 'internal-key', description: 'two' })).toThrow(
      /S\/a_b.*already uses the parameter \/spaceport\/S\/a_b/,
    );
  });
});
