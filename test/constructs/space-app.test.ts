import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { beforeAll, describe, expect, test } from 'vitest';
import { SpaceApp } from '../../lib/constructs/app';
import { DEFAULT_THROTTLE } from '../../lib/constructs/router';
import { loadSpacefile } from '../../lib/spacefile/load';
import type { SpaceAppModel } from '../../lib/spacefile/model';
import { ENV, fixtureLayer, nagFindings, type Synthesized, synth } from './helpers';

const EXAMPLE = 'examples/hello/Spacefile';

/** The logical id of the micro's function, to follow references in the template. */
function functionId(synthesized: Synthesized, micro: string): string {
  const fn = synthesized.space.micros[micro].function;
  return synthesized.stack.getLogicalId(fn.node.defaultChild as never);
}

function environmentOf(synthesized: Synthesized, micro: string): Record<string, unknown> {
  const resource = synthesized.template.toJSON().Resources[functionId(synthesized, micro)];
  return resource.Properties.Environment.Variables;
}

describe('the example app', () => {
  let example: Synthesized;
  let model: SpaceAppModel;
  beforeAll(() => {
    model = loadSpacefile(EXAMPLE);
    example = synth({ app: model, authorizer: new HttpIamAuthorizer() });
  });

  test('one function per micro with the Space limits, JSON logs and the adapter layer', () => {
    for (const [micro, runtime] of [
      ['web', 'nodejs24.x'],
      ['api', 'python3.13'],
      ['docs', 'nodejs24.x'],
    ] as const) {
      const fn = example.template.toJSON().Resources[functionId(example, micro)].Properties;
      expect(fn).toMatchObject({
        Runtime: runtime,
        MemorySize: 512,
        Timeout: 20,
        EphemeralStorage: { Size: 512 },
        Architectures: ['x86_64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      expect(fn.Layers).toEqual([{ Ref: expect.stringMatching(/^FixtureLayer/) }]);
    }
  });

  test('each micro gets the adapter configuration and the Space environment', () => {
    const hostname = { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/HttpApi/) }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] };
    const dataHost = { 'Fn::GetAtt': [expect.stringMatching(/^AppDataEndpoint/), 'DomainName'] };
    expect(environmentOf(example, 'web')).toEqual({
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/spaceport/bootstrap',
      SPACEPORT_RUN: 'node server.js',
      SPACEPORT_BASE_PATH: '',
      PORT: '8080',
      GREETING: 'Hello from Space',
      DETA_PROJECT_KEY: expect.anything(),
      DETA_API_KEY: expect.anything(),
      DETA_SPACE_APP: 'true',
      DETA_RUNTIME: 'true',
      DETA_SPACE_APP_VERSION: '1',
      DETA_SPACE_APP_HOSTNAME: hostname,
      DETA_SPACE_APP_MICRO_NAME: 'web',
      DETA_SPACE_APP_MICRO_TYPE: 'primary',
      DETA_BASE_HOST: dataHost,
      DETA_DRIVE_HOST: dataHost,
      // deta-go reads whole root endpoints.
      DETA_BASE_ROOT_ENDPOINT: { 'Fn::Join': ['', ['https://', dataHost, '/v1']] },
      DETA_DRIVE_ROOT_ENDPOINT: { 'Fn::Join': ['', ['https://', dataHost, '/v1']] },
    });
    expect(environmentOf(example, 'api')).toMatchObject({
      SPACEPORT_RUN: 'python3 main.py',
      SPACEPORT_BASE_PATH: '/api',
      DETA_SPACE_APP_MICRO_TYPE: 'normal',
      DETA_SPACE_APP_MICRO_NAME: 'api',
    });
    const docs = environmentOf(example, 'docs');
    expect(docs).toMatchObject({ SPACEPORT_STATIC_DIR: '.', SPACEPORT_BASE_PATH: '/docs' });
    expect(docs).not.toHaveProperty('SPACEPORT_RUN');
  });

  test('the project key is <projectId>_<secret> from a generated secret, resolved at deploy time', () => {
    example.template.hasResourceProperties('Custom::SpaceportSecret', { Kind: 'project-key', ProjectId: example.space.projectKey.projectId });
    expect(example.space.projectKey.projectId).toMatch(/^[a-z0-9]{8}$/);
    const keyId = example.stack.getLogicalId(example.space.projectKey.secret.resource.node.defaultChild as never);
    for (const micro of ['web', 'api', 'docs']) expect(environmentOf(example, micro).DETA_PROJECT_KEY).toEqual({ 'Fn::GetAtt': [keyId, 'Value'] });
  });

  test('function logs go to their own log group, written by a role limited to it', () => {
    // Three micros, the authorizer, the sign-in, the secret generator, the data function, and the access logs of the app's and the data APIs.
    example.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 9);
    example.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const role of Object.values(example.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('routes send each path to its micro, payload 2.0, /__space to the runtime', () => {
    const appApi = example.stack.getLogicalId(example.space.router.httpApi.node.defaultChild as never);
    const routes = example.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: appApi } } });
    const integrations = example.template.findResources('AWS::ApiGatewayV2::Integration');
    const target = (route: { Properties: { Target: { 'Fn::Join': [string, unknown[]] } } }) => {
      const integrationId = (route.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
      const uri = JSON.stringify(integrations[integrationId].Properties.IntegrationUri);
      const micro = ['web', 'api', 'docs'].find((name) => uri.includes(functionId(example, name)));
      return micro ?? (uri.includes('RuntimeFunction') ? 'runtime' : uri);
    };
    const table = Object.fromEntries(
      Object.values(routes).map((route) => [route.Properties.RouteKey, [target(route as never), route.Properties.AuthorizationType]]),
    );
    expect(table).toEqual({
      'ANY /': ['web', 'AWS_IAM'],
      'ANY /{proxy+}': ['web', 'AWS_IAM'],
      'ANY /api': ['api', 'AWS_IAM'],
      'ANY /api/{proxy+}': ['api', 'AWS_IAM'],
      // Public too (web's /public/*, docs is public: true): the authorizer allows them, so only /__space is open.
      'ANY /docs': ['docs', 'AWS_IAM'],
      'ANY /docs/{proxy+}': ['docs', 'AWS_IAM'],
      'ANY /__space': ['runtime', 'NONE'],
      'ANY /__space/{proxy+}': ['runtime', 'NONE'],
    });
    for (const integration of Object.values(integrations)) {
      const micro = ['web', 'api', 'docs'].some((name) => JSON.stringify(integration).includes(functionId(example, name)));
      if (micro) expect(integration.Properties).toMatchObject({ PayloadFormatVersion: '2.0', TimeoutInMillis: 29000, IntegrationType: 'AWS_PROXY' });
    }
  });

  test('the default stage writes access logs and the URL is an output', () => {
    example.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
    const url = Object.values(example.template.findOutputs('*', { Description: "URL of the Space app 'hello'" }));
    expect(url).toHaveLength(1);
    expect(JSON.stringify(url[0].Value)).toContain('.execute-api.eu-west-1.');
  });

  test("the stage throttles every request, denied or not, by default, so a flood cannot take the account's concurrency (issue 10, finding 8)", () => {
    example.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit, ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit },
    });
    const custom = synth({ app: model, authorizer: new HttpIamAuthorizer(), throttle: { rateLimit: 5, burstLimit: 10 } });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
  });

  test("each action's output is the command that runs it now on its micro's function", () => {
    const triggers = Object.values(example.template.findOutputs('*', { Description: Match.stringLikeRegexp('^Runs action') }));
    expect(triggers).toEqual(
      model.actions.map((action) => ({
        Description: `Runs action '${action.id}' now`,
        Value: { 'Fn::Join': ['', [`npx spaceport trigger ${action.id} --function `, { Ref: functionId(example, action.microName) }]] },
      })),
    );
  });

  test('each action is a UTC schedule in the app group sending the action event to its micro', () => {
    const schedules = Object.values(example.template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(2);
    for (const action of model.actions) {
      const schedule = schedules.find((s) => s.Properties.Target.Input?.includes(`"${action.id}"`));
      expect(schedule?.Properties).toMatchObject({
        ScheduleExpression: action.interval.eventBridgeExpression,
        ScheduleExpressionTimezone: 'Etc/UTC',
        GroupName: example.stack.resolve(example.space.scheduleGroup?.scheduleGroupName),
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [functionId(example, action.microName), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/ActionDeadLetterQueue/), 'Arn'] } },
        },
      });
      expect(schedule?.DependsOn).toContain(example.stack.getLogicalId(example.space.scheduleGroup?.node.defaultChild as never));
      expect(JSON.parse(schedule?.Properties.Target.Input)).toEqual({ source: 'spaceport.action', event: { id: action.id, trigger: 'schedule' } });
    }
    example.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  test('the scheduler role may invoke only its own function, and failed actions land in an encrypted SSL-only queue', () => {
    const policies = Object.values(example.template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('lambda:InvokeFunction'),
    );
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const invoke = policy.Properties.PolicyDocument.Statement.find((s: { Action: string }) => s.Action === 'lambda:InvokeFunction');
      const targets = new Set(JSON.stringify(invoke.Resource).match(/AppMicro\w+Function\w+/g));
      expect(targets.size).toBe(1);
    }
    example.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    example.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    example.template.resourcePropertiesCountIs('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 }, 2);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the example app with an authorizer has no unacknowledged finding', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Nag', { env: ENV });
      new SpaceApp(stack, 'App', { spacefile: EXAMPLE, adapterLayer: fixtureLayer(stack), authorizer: new HttpIamAuthorizer() });
    });
    expect(findings).toEqual([]);
  });

  test('without an authorizer prop, SpaceAuth protects the private routes: no finding, no open-routes warning', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Nag', { env: ENV });
      new SpaceApp(stack, 'App', { spacefile: EXAMPLE, adapterLayer: fixtureLayer(stack) });
    });
    expect(findings).toEqual([]);
    const protectedByDefault = synth({ spacefile: EXAMPLE });
    expect(Annotations.fromStack(protectedByDefault.stack).findWarning('*', Match.stringLikeRegexp('private micros are open'))).toEqual([]);
  });
});
