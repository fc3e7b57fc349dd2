/** The deployed app is private unless its Spacefile opens a path, judged by the authorizer; the owner secret never appears in plain text. */
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AUTH_ENV } from '../../lib/handlers/authorizer';
import { SpaceApp } from '../../lib/constructs/app';
import { routeKeys } from '../../lib/routing/routes';
import { loadSpacefile } from '../../lib/spacefile/load';
import { ENV, fixtureLayer, nagFindings, synth } from '../constructs/helpers';

const EXAMPLE = 'examples/hello/Spacefile';

describe('SpaceAuth in the example app (no authorizer given)', () => {
  const { template, space } = synth({ spacefile: EXAMPLE });
  const json = template.toJSON();
  const app = loadSpacefile(EXAMPLE);

  it("sends every micro route, public or not, and the owner's console through the Lambda authorizer; only sign-in is open", () => {
    const appApi = { Ref: space.router.httpApi.stack.getLogicalId(space.router.httpApi.node.defaultChild as never) };
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: appApi } })).map(
      (route) => route.Properties,
    );
    const open = routes
      .filter((route) => route.AuthorizationType === 'NONE')
      .map((route) => route.RouteKey)
      .sort();
    // Besides the runtime's own paths: the CORS preflights of web (api_keys), answered by the runtime function, and
    // the browser's Base and Drive paths, which the data function serves to the owner's session alone (docs/data.md).
    expect(open).toEqual([
      'ANY /__space/signin',
      'ANY /__space/signout',
      'ANY /__space/v0/base/{proxy+}',
      'ANY /__space/v0/drive/{proxy+}',
      'OPTIONS /',
      'OPTIONS /{proxy+}',
    ]);
    const guarded = routes.filter((route) => route.AuthorizationType !== 'NONE');
    // docs (public: true) and web's /public/* included: the authorizer allows them itself.
    // The console's routes too: the authorizer's console rule lets only the owner's session in.
    expect(guarded.map((route) => route.RouteKey).sort()).toEqual([...app.micros.flatMap(routeKeys), 'ANY /__space', 'ANY /__space/{proxy+}'].sort());
    for (const route of guarded) {
      expect(route.AuthorizationType, route.RouteKey).toBe('CUSTOM');
      expect(route.AuthorizerId, route.RouteKey).toEqual({ Ref: expect.stringMatching(/Owner/) });
    }
  });

  it('configures a payload 2.0 REQUEST authorizer with simple responses, no identity sources and no caching', () => {
    const authorizers = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]!.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: [],
    });
  });

  const stack = space.node.scope as Stack;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const variablesOf = (fn: { node: { defaultChild?: unknown } }) => json.Resources[logicalId(fn)].Properties.Environment.Variables;

  it('generates the owner secret at deploy time into a parameter, and hands the auth functions only its name', () => {
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
    const secretId = logicalId(space.auth!.ownerSecret.resource);
    expect(json.Resources[secretId]).toMatchObject({
      Type: 'Custom::SpaceportSecret',
      Properties: { Kind: 'owner-secret', ParameterName: '/spaceport/Test/App.Auth.OwnerSecret' },
    });
    expect(space.auth!.ownerSecret.parameterName).toBe('/spaceport/Test/App.Auth.OwnerSecret');
    for (const fn of [space.auth!.authorizerFunction, space.auth!.signinFunction]) {
      // Read at run time (so a rotation needs no deployment), never resolved into the configuration.
      expect(variablesOf(fn)[AUTH_ENV.ownerSecretParameter]).toBe(space.auth!.ownerSecret.parameterName);
      expect(JSON.stringify(variablesOf(fn))).not.toContain(secretId);
    }
    expect(variablesOf(space.auth!.authorizerFunction)).toMatchObject({ [AUTH_ENV.apiKeysTable]: { Ref: expect.stringMatching(/ApiKeys/) } });
    expect(JSON.parse(variablesOf(space.auth!.authorizerFunction)[AUTH_ENV.policy])).toMatchObject({
      primary: { name: 'web', publicRoutes: ['/public/*'] },
    });
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).toContain('--name /spaceport/Test/App.Auth.OwnerSecret --with-decryption --query Parameter.Value --output text');
  });

  it("gives every micro and the authorizer the app's internal key at deploy time; the sign-in function never gets it", () => {
    const keyId = logicalId(space.internalKey.secret.resource);
    expect(json.Resources[keyId].Properties).toMatchObject({ Kind: 'internal-key' });
    // A NoEcho attribute of the generator, resolved by CloudFormation: in no template, assembly or stack event.
    const value = { 'Fn::GetAtt': [keyId, 'Value'] };
    for (const micro of app.micros) expect(variablesOf(space.micros[micro.name]!.function).DETA_API_KEY, micro.name).toEqual(value);
    expect(variablesOf(space.auth!.authorizerFunction)[AUTH_ENV.internalKey]).toEqual(value);
    expect(JSON.stringify(variablesOf(space.auth!.signinFunction))).not.toContain(keyId);
  });

  it('lets the auth functions, the console and the data function (the browser path) read the owner secret parameter and nothing else of SSM; only the generator writes', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => policy.Properties);
    const ssmStatements = policies.flatMap((policy) =>
      (policy.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .filter((statement) => JSON.stringify(statement.Action).includes('ssm:'))
        .map((statement) => ({ roles: JSON.stringify(policy.Roles), action: statement.Action, resource: JSON.stringify(statement.Resource) })),
    );
    const roleOf = (fn: { role?: unknown }) => JSON.stringify([{ Ref: logicalId(fn.role as never) }]);
    const arn = (name: string) =>
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:eu-west-1:123456789012:parameter${name}`]] });
    const ownerSecret = arn(space.auth!.ownerSecret.parameterName);
    const readers = ssmStatements.filter((statement) => statement.action === 'ssm:GetParameter');
    expect(readers.map((statement) => [statement.roles, statement.resource]).sort()).toEqual(
      [
        [roleOf(space.auth!.authorizerFunction), ownerSecret],
        [roleOf(space.auth!.signinFunction), ownerSecret],
        [roleOf(space.data!.function), ownerSecret],
        [roleOf(space.console!.function), ownerSecret],
      ].sort(),
    );
    const writers = ssmStatements.filter((statement) => statement.action !== 'ssm:GetParameter');
    expect(new Set(writers.map((statement) => statement.roles)).size).toBe(1);
    expect(writers.map((statement) => statement.resource).sort()).toEqual(
      [space.auth!.ownerSecret, space.internalKey.secret, space.projectKey.secret].map((secret) => arn(secret.parameterName)).sort(),
    );
    for (const writer of writers) expect(writer.action).toEqual(['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter']);
  });

  it('keeps API key hashes in a table the authorizer may only GetItem from, and only the console manages', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'hash', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    const apiKeysTable = space.auth!.apiKeysTable.stack.getLogicalId(space.auth!.apiKeysTable.node.defaultChild as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const onKeys = statements.filter((statement) => JSON.stringify(statement.Resource).includes(apiKeysTable));
    expect(onKeys.map((statement) => statement.Action)).toEqual([
      'dynamodb:GetItem',
      ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    ]);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const findings = nagFindings((nagApp) => {
      const stack = new Stack(nagApp, 'Nag', { env: ENV });
      new SpaceApp(stack, 'App', { spacefile: EXAMPLE, adapterLayer: fixtureLayer(stack) });
    });
    expect(findings).toEqual([]);
  });
});

describe('SpaceAuth bundling', () => {
  it('bundles the authorizer, the sign-in function, the console, the secret generator and the data function with esbuild, without Docker', () => {
    const { template } = synth({ spacefile: EXAMPLE }, { bundle: true });
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      /^Spaceport/.test(fn.Properties.Description ?? ''),
    );
    expect(handlers).toHaveLength(5);
    for (const fn of handlers) expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Architectures: ['arm64'] });
  });
});
