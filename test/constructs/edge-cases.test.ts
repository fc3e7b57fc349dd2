import { App, Stack, Validations } from 'aws-cdk-lib';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { Architecture, Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, test } from 'vitest';
import { SpaceAction } from '../../lib/constructs/action';
import { SpaceMicro } from '../../lib/constructs/micro';
import { SpaceProjectKey } from '../../lib/constructs/project-key-secret';
import { SpaceInternalKey } from '../../lib/constructs/internal-key-secret';
import { adapterLayer } from '../../lib/constructs/adapter-layer';
import { SpaceRouter } from '../../lib/constructs/router';
import { routeKeys } from '../../lib/routing/routes';
import { SpaceApp } from '../../lib/constructs/app';
import { ENV, fixtureLayer, nagFindings, synth, writeApp } from './helpers';

/** The route keys of the app's own HTTP API (the data endpoint's API has its own). */
const routeKeysOf = (result: ReturnType<typeof synth>) => {
  const api = result.stack.getLogicalId(result.space.router.httpApi.node.defaultChild as never);
  return Object.values(result.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: api } } }))
    .map((r) => r.Properties.RouteKey)
    .sort();
};

function envOf(result: ReturnType<typeof synth>, micro: string): Record<string, unknown> {
  const fn = result.space.micros[micro].function;
  return result.template.toJSON().Resources[result.stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables;
}

describe('app shapes', () => {
  test('a single micro is the primary at / and needs no schedules', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: solo\n    src: .\n    engine: nodejs16\n    public: true\n', { 'index.js': '' });
    const result = synth({ app });
    // The browser's Base and Drive paths are runtime routes too, answered by the data function for the owner alone;
    // sign-in has its own routes, the rest of /__space is the owner's console.
    expect(routeKeysOf(result)).toEqual([
      'ANY /',
      'ANY /__space',
      'ANY /__space/signin',
      'ANY /__space/signout',
      'ANY /__space/v0/base/{proxy+}',
      'ANY /__space/v0/drive/{proxy+}',
      'ANY /__space/{proxy+}',
      'ANY /{proxy+}',
    ]);
    expect(envOf(result, 'solo')).toMatchObject({ DETA_SPACE_APP_MICRO_TYPE: 'primary', SPACEPORT_RUN: 'node index.js', SPACEPORT_BASE_PATH: '' });
    for (const type of ['AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup', 'AWS::SQS::Queue']) result.template.resourceCountIs(type, 0);
  });

  test('five micros with 25 actions: one group, one invoker role per micro, one schedule per action', () => {
    const micros = Array.from({ length: 5 }, (_, m) => {
      const actions = Array.from(
        { length: 5 },
        (_, a) => `      - id: m${m}a${a}\n        name: Action ${m}.${a}\n        trigger: schedule\n        default_interval: "${a + 2} minutes"\n`,
      ).join('');
      return `  - name: m${m}\n    src: ./m${m}\n    engine: nodejs16\n${m === 0 ? '    primary: true\n' : ''}    public: true\n    actions:\n${actions}`;
    });
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, m) => [`m${m}/index.js`, '']));
    const app = writeApp(`v: 0\nmicros:\n${micros.join('')}`, files);
    const result = synth({ app });
    result.template.resourceCountIs('AWS::Scheduler::Schedule', 25);
    result.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    result.template.resourceCountIs('AWS::SQS::Queue', 1);
    result.template.resourcePropertiesCountIs('AWS::Lambda::Function', { MemorySize: 512, Layers: Match.anyValue() }, 5);
    result.template.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' } }] } },
      5,
    );
    expect(routeKeysOf(result)).toContain('ANY /m4/{proxy+}');
    const expressions = Object.values(result.template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties.ScheduleExpression);
    expect(expressions.sort()).toEqual(app.actions.map((action) => action.interval.eventBridgeExpression).sort());
  });

  test('a Python-only app runs on Python with its base path stripped', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: py\n    src: .\n    engine: python3.9\n', { 'main.py': '' });
    const result = synth({ app, authorizer: new HttpIamAuthorizer() });
    result.template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'python3.13', MemorySize: 512 }, 1);
    expect(envOf(result, 'py').SPACEPORT_RUN).toBeDefined();
  });

  test('a static-only app serves its directory with no start command', () => {
    const app = writeApp('v: 0\nmicros:\n  - name: site\n    src: .\n    engine: static\n    serve: public\n    public: true\n', {
      'public/index.html': '<h1>hi</h1>',
    });
    const env = envOf(synth({ app }), 'site');
    expect(env).toMatchObject({ SPACEPORT_STATIC_DIR: 'public' });
    expect(env).not.toHaveProperty('SPACEPORT_RUN');
  });

  test('runtimes, architecture, version and function overrides apply; environment overrides merge', () => {
    const result = synth({
      spacefile: 'examples/hello/Spacefile',
      runtimes: { api: 'python3.14' },
      architecture: Architecture.ARM_64,
      appVersion: '2.3.0',
      cdk: { function: { memorySize: 1024, environment: { EXTRA: 'yes' } } },
    });
    const api = result.template.toJSON().Resources[result.stack.getLogicalId(result.space.micros.api.function.node.defaultChild as never)];
    expect(api.Properties).toMatchObject({ Runtime: 'python3.14', Architectures: ['arm64'], MemorySize: 1024 });
    expect(envOf(result, 'api')).toMatchObject({ EXTRA: 'yes', DETA_SPACE_APP_VERSION: '2.3.0', SPACEPORT_BASE_PATH: '/api' });
  });
});

describe('presets', () => {
  const spacefile =
    'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n    public: true\n    presets:\n      env:\n        - name: TOKEN\n          description: no default\n';
  const files = { 'index.js': '' };

  test('a preset with neither a value nor a default names the micro, the preset, the line and how to pass it', () => {
    const app = writeApp(spacefile, files);
    expect(() => synth({ app })).toThrow(
      new RegExp(
        `^Test/App/Micro-web: micro 'web' needs a value for preset TOKEN, which has no default: pass presetValues: \\{ web: \\{ TOKEN: '...' \\} \\} or -c preset:web.TOKEN=\\.\\.\\. \\(${app.spacefile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+\\)$`,
      ),
    );
  });

  test('values come from presetValues, then from CDK context', () => {
    const app = writeApp(spacefile, files);
    expect(envOf(synth({ app, presetValues: { web: { TOKEN: 'given' } } }), 'web').TOKEN).toBe('given');
    expect(envOf(synth({ app }, { context: { 'preset:web.TOKEN': 'from-context' } }), 'web').TOKEN).toBe('from-context');
  });

  test("presets that would exceed Lambda's 4 KB environment are a synth error naming the largest", () => {
    const app = writeApp(spacefile, files);
    expect(() => synth({ app, presetValues: { web: { TOKEN: 'x'.repeat(4000) } } })).toThrow(
      /^Test\/App\/Micro-web: micro 'web' needs about \d+ bytes of environment variables, over Lambda's 4096; the largest: TOKEN \(4005 bytes\)/,
    );
  });

  test('unknown micros and presets are errors, not silently ignored', () => {
    const app = writeApp(spacefile, files);
    expect(() => synth({ app, presetValues: { wbe: { TOKEN: 'x' } } })).toThrow(
      /presetValues names micro wbe, which the Spacefile does not declare \(micros: web\)/,
    );
    expect(() => synth({ app, presetValues: { web: { TOKEN: 'x', TOKNE: 'y' } } })).toThrow(/micro 'web' has no preset TOKNE \(declared: TOKEN\)/);
    expect(() => synth({ app, runtimes: { nope: 'python3.14' } })).toThrow(/runtimes names micro nope/);
  });

  test('a runtime of the wrong family is an error naming the choices and the Spacefile line', () => {
    const app = writeApp(spacefile, files);
    expect(() => synth({ app, runtimes: { web: 'python3.14' } })).toThrow(
      /runtimes\.web: 'python3\.14' cannot run micro 'web' \(engine nodejs16\); choose one of nodejs24\.x, nodejs22\.x \(.*Spacefile:\d+:\d+\)/,
    );
  });
});

describe('validation', () => {
  test('exactly one of spacefile and app', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new SpaceApp(stack, 'Both', { adapterLayer: fixtureLayer(stack) })).toThrow(/^S\/Both: pass exactly one of `spacefile`/);
  });

  test('a router refuses a micro of another app, naming the Spacefile line', () => {
    const one = writeApp('v: 0\nmicros:\n  - name: a\n    src: .\n    engine: nodejs16\n', { 'index.js': '' });
    const other = writeApp('v: 0\nmicros:\n  - name: b\n    src: .\n    engine: nodejs16\n', { 'index.js': '' });
    const result = synth({ app: one, authorizer: new HttpIamAuthorizer() });
    const router = new SpaceRouter(result.stack, 'Other', { app: one });
    expect(() => router.addMicro(other.micros[0], result.space.micros.a.function)).toThrow(
      /^Test\/Other: micro 'b' is not part of app .*Spacefile:3:\d+\)$/,
    );
  });

  test('a layer that was never built is a synth error that says to build it', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => adapterLayer(stack, '/nonexistent/layer')).toThrow(
      'S: the Spaceport adapter layer is missing at /nonexistent/layer: run npm run build',
    );
  });
});

describe('each construct on its own', () => {
  test('SpaceMicro and SpaceAction work without SpaceApp, with their own queue and invoker role', () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: job\n    src: .\n    engine: nodejs16\n    actions:\n      - id: nightly\n        name: Nightly\n        trigger: schedule\n        default_interval: "0 3 * * *"\n',
      { 'index.js': '' },
    );
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone', { env: ENV });
    const micro = new SpaceMicro(stack, 'Job', {
      micro: app.micros[0],
      projectKey: new SpaceProjectKey(stack, 'Key', { projectId: 'abcd1234' }),
      internalKey: new SpaceInternalKey(stack, 'InternalKey'),
      hostname: 'example.com',
      adapterLayer: fixtureLayer(stack),
    });
    const action = new SpaceAction(stack, 'Nightly', { action: app.actions[0], function: micro.function });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DETA_SPACE_APP_HOSTNAME: 'example.com', DETA_SPACE_APP_MICRO_NAME: 'job' }) },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: app.actions[0].interval.eventBridgeExpression,
      Target: { RoleArn: stack.resolve(action.role.roleArn), DeadLetterConfig: { Arn: stack.resolve(action.deadLetterQueue.queueArn) } },
    });
    template.resourceCountIs('AWS::SQS::Queue', 1);
    expect(
      template.findResources('AWS::Scheduler::Schedule')[stack.getLogicalId(action.schedule.node.defaultChild as never)].Properties.GroupName,
    ).toBeUndefined();
  });

  test('a rate no cron expresses starts on the firings spaceport dev uses; a cron gets no start', () => {
    const app = writeApp(
      'v: 0\nmicros:\n  - name: job\n    src: .\n    engine: nodejs16\n    actions:\n' +
        '      - id: odd\n        name: Odd\n        trigger: schedule\n        default_interval: "7 minutes"\n' +
        '      - id: nightly\n        name: Nightly\n        trigger: schedule\n        default_interval: "0 3 * * *"\n',
      { 'index.js': '' },
    );
    const stack = new Stack(new App(), 'Rates', { env: ENV });
    const fn = new Function(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });
    const before = Date.now();
    const [odd, nightly] = app.actions.map((action) => new SpaceAction(stack, action.id, { action, function: fn }));
    const after = Date.now();
    const template = Template.fromStack(stack).findResources('AWS::Scheduler::Schedule');
    const startOf = (action: SpaceAction) => template[stack.getLogicalId(action.schedule.node.defaultChild as never)].Properties.StartDate;

    const start = Date.parse(startOf(odd!));
    // After the deployment (EventBridge refuses a StartDate in the past), within one period of the margin.
    expect(start).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(start).toBeLessThanOrEqual(after + (15 + 7) * 60_000);
    // One of the local scheduler's firings: both fire at the same minutes.
    expect(app.actions[0].interval.nextFiring(new Date(start - 1)).getTime()).toBe(start);
    expect(startOf(nightly!)).toBeUndefined();
  });
});

describe('every micro route goes through the authorizer', () => {
  const app = writeApp(
    'v: 0\nmicros:\n  - name: web\n    src: ./web\n    engine: nodejs16\n    primary: true\n    public_routes: ["/public/*", "/favicon.ico", "*.png", "/api/x", "/__space/y"]\n' +
      '  - name: api\n    src: ./api\n    engine: nodejs16\n    public_routes: ["/docs/*", "/health"]\n' +
      '  - name: site\n    src: ./site\n    engine: nodejs16\n    path: site\n    public: true\n',
    { 'web/index.js': '', 'api/index.js': '', 'site/index.js': '' },
  );
  /** The app's own routes: the data endpoint is another host with its own API. */
  const routesOf = (stack: Stack, router: SpaceRouter) => {
    const api = stack.getLogicalId(router.httpApi.node.defaultChild as never);
    return Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: api } } })).map(
      (route) => route.Properties,
    );
  };
  const RUNTIME_ROUTES = ['ANY /__space', 'ANY /__space/{proxy+}'];

  test('public routes and wholly public micros included: only the runtime routes are open', () => {
    const { stack, space } = synth({ app, authorizer: new HttpIamAuthorizer() });
    const routes = routesOf(stack, space.router);
    expect(
      routes
        .filter((r) => r.AuthorizationType === 'NONE')
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual(RUNTIME_ROUTES);
    const guarded = routes
      .filter((r) => r.AuthorizationType === 'AWS_IAM')
      .map((r) => r.RouteKey)
      .sort();
    expect(guarded).toEqual(app.micros.flatMap(routeKeys).sort());
    expect(routes).toHaveLength(guarded.length + RUNTIME_ROUTES.length);
  });

  test('cdk-nag passes with APIG4 acknowledged on the runtime routes alone, saying why', () => {
    let acknowledged: Array<{ route: string; reason: string }> = [];
    const findings = nagFindings((cdkApp) => {
      const stack = new Stack(cdkApp, 'Nag', { env: ENV });
      const space = new SpaceApp(stack, 'App', { app, adapterLayer: fixtureLayer(stack), authorizer: new HttpIamAuthorizer() });
      acknowledged = space.router.node.findAll().flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          // Each entry is `{ <qualified rule id>: reason }`.
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>).filter(([id]) => id.endsWith('AwsSolutions-APIG4')))
          .map(([, reason]) => ({ route: (construct.node.defaultChild as CfnRoute | undefined)?.routeKey ?? construct.node.path, reason })),
      );
    });
    expect(findings).toEqual([]);
    expect(acknowledged.map((ack) => ack.route).sort()).toEqual(RUNTIME_ROUTES);
    for (const ack of acknowledged) expect(ack.reason).toMatch(/sign-in.*never reaches a micro/);
  });

  test('a default authorizer given through the escape hatch leaves sign-in open', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const router = new SpaceRouter(stack, 'Router', { app, cdk: { httpApi: { defaultAuthorizer: new HttpIamAuthorizer() } } });
    expect(
      routesOf(stack, router)
        .map((r) => [r.RouteKey, r.AuthorizationType])
        .sort(),
    ).toEqual(RUNTIME_ROUTES.map((key) => [key, 'NONE']));
  });

  test('a router without an authorizer says at synth that private micros are open, and only then', () => {
    const openWarnings = (model: typeof app) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      new SpaceRouter(stack, 'Router', { app: model });
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('private micros are open to anyone'));
    };
    expect(openWarnings(app)).toHaveLength(1);
    const allPublic = writeApp('v: 0\nmicros:\n  - name: site\n    src: .\n    engine: nodejs16\n    public: true\n', { 'index.js': '' });
    expect(openWarnings(allPublic)).toEqual([]);
  });
});
