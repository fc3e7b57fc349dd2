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

  it('sends every micro route, public or not, through the Lambda authorizer; only /__space is open', () => {
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
      'ANY /__space',
      'ANY /__space/v0/base/{proxy+}',
      'ANY /__space/v0/drive/{proxy+}',
      'ANY /__space/{proxy+}',
      'OPTIONS /',
      'OPTIONS /{proxy+}',
    ]);
    const guarded = routes.filter((route) => route.AuthorizationType !== 'NONE');
    // docs (public: true) and web's /public/* included: the authorizer allows them itself.
    expect(guarded.map((route) => route.RouteKey).sort()).toEqual(app.micros.flatMap(routeKeys).sort());
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

  it('generates the owner secret at deploy time and hands functions only its ARN', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 43, ExcludePunctuation: true } });
    const stack = space.node.scope as Stack;
    const secretId = stack.getLogicalId(space.auth!.ownerSecret.node.defaultChild as never);
    // Dynamic references would resolve the secret into plain text in the function's configuration.
    expect(JSON.stringify(json)).not.toContain(`{{resolve:secretsmanager:",{"Ref":"${secretId}"`);
    const authorizer = json.Resources[stack.getLogicalId(space.auth!.authorizerFunction.node.defaultChild as never)];
    expect(authorizer.Properties.Environment.Variables).toMatchObject({
      [AUTH_ENV.ownerSecretId]: { Ref: secretId },
      [AUTH_ENV.apiKeysTable]: { Ref: expect.stringMatching(/ApiKeys/) },
    });
    expect(JSON.parse(authorizer.Properties.Environment.Variables[AUTH_ENV.policy])).toMatchObject({
      primary: { name: 'web', publicRoutes: ['/public/*'] },
    });
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).toContain('aws secretsmanager get-secret-value --secret-id ');
  });

  it("gives every micro the app's internal key as DETA_API_KEY through a dynamic reference; only the authorizer may read it", () => {
    const stack = space.node.scope as Stack;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
    const keyId = logicalId(space.internalKey.secret);
    expect(json.Resources[keyId].Properties.GenerateSecretString).toEqual({ PasswordLength: 43, ExcludePunctuation: true });
    for (const micro of app.micros) {
      const variables = json.Resources[logicalId(space.micros[micro.name]!.function)].Properties.Environment.Variables;
      // Resolved by CloudFormation at deploy time: the key is in no template, assembly or synth output.
      expect(variables.DETA_API_KEY, micro.name).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: keyId }, ':SecretString:::}}']] });
    }
    const authorizerRole = { Ref: logicalId(space.auth!.authorizerFunction.role as never) };
    expect(json.Resources[logicalId(space.auth!.authorizerFunction)].Properties.Environment.Variables[AUTH_ENV.internalKeySecretId]).toEqual({
      Ref: keyId,
    });
    expect(json.Resources[logicalId(space.auth!.signinFunction)].Properties.Environment.Variables).not.toHaveProperty(AUTH_ENV.internalKeySecretId);

    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => policy.Properties);
    const secretStatements = policies.flatMap((policy) =>
      (policy.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>)
        .filter((statement) => JSON.stringify(statement.Action).includes('secretsmanager:'))
        .map((statement) => ({ roles: policy.Roles, ...statement })),
    );
    const readersOfKey = secretStatements.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ Ref: keyId }));
    expect(readersOfKey.map((statement) => statement.roles)).toEqual([[authorizerRole]]);
    // The authorizer reads exactly its two secrets, by ARN: no wildcard, not the project key.
    const authorizerReads = secretStatements.filter((statement) => JSON.stringify(statement.roles) === JSON.stringify([authorizerRole]));
    expect(authorizerReads.map((statement) => statement.Resource)).toEqual(
      expect.arrayContaining([{ Ref: keyId }, { Ref: logicalId(space.auth!.ownerSecret) }]),
    );
    expect(authorizerReads).toHaveLength(2);
    for (const statement of authorizerReads) expect(statement.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
  });

  it('keeps API key hashes in a table the authorizer may only GetItem from', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'hash', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    const apiKeysTable = space.auth!.apiKeysTable.stack.getLogicalId(space.auth!.apiKeysTable.node.defaultChild as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const onKeys = statements.filter((statement) => JSON.stringify(statement.Resource).includes(apiKeysTable));
    expect(onKeys.map((statement) => statement.Action)).toEqual(['dynamodb:GetItem']);
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
  it('bundles the authorizer and sign-in function with esbuild, without Docker', () => {
    const { template } = synth({ spacefile: EXAMPLE }, { bundle: true });
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      /Spaceport (authorizer|owner sign-in)/.test(fn.Properties.Description ?? ''),
    );
    expect(handlers).toHaveLength(2);
    for (const fn of handlers) expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Architectures: ['arm64'] });
  });
});
