/**
 * The owner's console in the synthesized example app: its routes (behind the authorizer, sign-in apart), its
 * function's least-privilege policy (this app's resources only, no wildcard action), the overview bundled beside
 * the handler, and turning it off. cdk-nag's AwsSolutions pack runs over the example app, console included, in
 * space-app.test.ts and auth/construct.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { beforeAll, describe, expect, test } from 'vitest';
import { CONSOLE_APP_FILE, CONSOLE_ENV } from '../../lib/handlers/console-handler';
import * as logs from 'aws-cdk-lib/aws-logs';
import { actionScheduleName } from '../../lib/constructs/action';
import { SpaceConsole } from '../../lib/constructs/console';
import type { SpaceMicro } from '../../lib/constructs/micro';
import type { SpaceAppModel } from '../../lib/spacefile/model';
import { type Synthesized, synth, writeApp } from './helpers';

const EXAMPLE = 'examples/hello/Spacefile';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

describe('the console of the example app', () => {
  let example: Synthesized;
  let statements: Statement[];
  const id = (construct: { node: { defaultChild?: unknown } }) => example.stack.getLogicalId(construct.node.defaultChild as never);

  beforeAll(() => {
    example = synth({ spacefile: EXAMPLE });
    const role = id(example.space.console!.function.role as never);
    statements = Object.values(example.template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  });

  test('routes /__space and everything under it without a route of its own to the console, through the authorizer', () => {
    const api = { Ref: id(example.space.router.httpApi) };
    const routes = Object.values(example.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: api } })).map(
      (route) => route.Properties,
    );
    const integrations = example.template.findResources('AWS::ApiGatewayV2::Integration');
    const consoleFn = id(example.space.console!.function);
    const toConsole = routes.filter((route) => {
      const integration = (route.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
      return JSON.stringify(integrations[integration]!.Properties.IntegrationUri).includes(consoleFn);
    });
    expect(toConsole.map((route) => [route.RouteKey, route.AuthorizationType, route.AuthorizerId])).toEqual([
      ['ANY /__space', 'CUSTOM', { Ref: expect.stringMatching(/Owner/) }],
      ['ANY /__space/{proxy+}', 'CUSTOM', { Ref: expect.stringMatching(/Owner/) }],
    ]);
    const signin = routes.filter((route) => /^ANY \/__space\/sign(in|out)$/.test(route.RouteKey));
    expect(signin.map((route) => route.AuthorizationType)).toEqual(['NONE', 'NONE']);
  });

  test('every statement names its actions and this app’s own resources: no wildcard action, no account-wide resource', () => {
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      expect(JSON.stringify(statement.Resource)).not.toMatch(/^"\*"$|"\*"/);
    }
    const byAction = (action: string) => statements.filter((statement) => [statement.Action].flat().includes(action));
    const resources = (action: string) => byAction(action).flatMap((statement) => [statement.Resource].flat());
    const micros = Object.values(example.space.micros);
    expect(resources('lambda:InvokeFunction')).toEqual(micros.map((micro) => ({ 'Fn::GetAtt': [id(micro.function), 'Arn'] })));
    expect(resources('logs:FilterLogEvents')).toEqual([
      ...micros.map((micro) => ({ 'Fn::GetAtt': [id(micro.logGroup), 'Arn'] })),
      { 'Fn::GetAtt': [id(example.space.router.accessLogGroup), 'Arn'] },
    ]);
    const actions = Object.values(example.space.actions);
    expect(actions.length).toBeGreaterThan(0);
    expect(byAction('scheduler:UpdateSchedule')).toEqual([
      expect.objectContaining({
        Action: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        Resource: actions.map((action) => ({ 'Fn::GetAtt': [id(action.schedule), 'Arn'] })),
      }),
    ]);
    expect(byAction('scheduler:ListSchedules')).toEqual([]);
    const invokerRoles = [...new Set(actions.map((action) => id(action.role as never)))];
    expect(byAction('iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: invokerRoles.map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] })),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
    const keysTable = id(example.space.auth!.apiKeysTable);
    expect(byAction('dynamodb:Scan').map((statement) => JSON.stringify(statement.Resource))).toEqual([
      expect.stringContaining(keysTable),
      expect.stringContaining(id(example.space.data!.table)),
    ]);
    const objects = resources('s3:GetObject');
    expect(objects).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(example.space.data!.bucket), 'Arn'] }, `/${example.space.projectKey.projectId}/*`]] },
    ]);
  });

  test('knows the resources by name from its environment, and the overview from a file beside the handler', () => {
    const variables = example.template.toJSON().Resources[id(example.space.console!.function)].Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual([CONSOLE_ENV.ownerSecretParameter, CONSOLE_ENV.resources].sort());
    const bundled = synth({ spacefile: EXAMPLE }, { bundle: true });
    const code =
      bundled.template.toJSON().Resources[bundled.stack.getLogicalId(bundled.space.console!.function.node.defaultChild as never)].Properties.Code;
    const dir = join(bundled.app.synth().directory, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    const overview = JSON.parse(readFileSync(join(dir, CONSOLE_APP_FILE), 'utf8'));
    expect(overview.app.name).toBe(bundled.space.app.name);
    expect(overview.app.micros.map((micro: { name: string; runtime: string }) => [micro.name, micro.runtime])).toEqual([
      ['web', 'nodejs24.x'],
      ['api', 'python3.13'],
      ['docs', 'static'],
    ]);
    expect(overview.actions.map((action: { id: string }) => action.id)).toEqual(bundled.space.app.actions.map((action) => action.id));
    // The schedules' names are fixed at synth, so they travel in the file, not in the 4 KB environment.
    const scheduleNames = bundled.space.app.actions.map((action) => actionScheduleName(action.id));
    expect(overview.scheduleNames).toEqual(scheduleNames);
    const schedules = Object.values(bundled.template.findResources('AWS::Scheduler::Schedule')).map((schedule) => schedule.Properties.Name);
    expect(schedules.sort()).toEqual([...scheduleNames].sort());
    const resources = JSON.stringify(
      bundled.template.toJSON().Resources[bundled.stack.getLogicalId(bundled.space.console!.function.node.defaultChild as never)].Properties
        .Environment,
    );
    expect(resources).toContain('\\"scheduleNames\\":[]');
  });

  test("names each schedule after its action, in the characters a schedule name allows, apart from any other action's", () => {
    expect(actionScheduleName('cleanup')).toMatch(/^cleanup-[0-9a-f]{8}$/);
    const [spaced, dashed] = [actionScheduleName('nightly backup'), actionScheduleName('nightly-backup')];
    expect(spaced).toMatch(/^nightly-backup-[0-9a-f]{8}$/);
    expect(spaced).not.toBe(dashed);
    const long = actionScheduleName('é'.repeat(200));
    expect(long).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
  });
});

describe("the console's environment, which grows with the app and its stack's name", () => {
  // Space's limits: five micros of five actions each.
  const largest = (): SpaceAppModel => {
    const action = (micro: number, n: number): string =>
      `      - id: scheduled-action-${micro}-${n}\n        name: Action ${micro}.${n}\n        trigger: schedule\n        default_interval: 1 hour\n`;
    const micro = (n: number): string =>
      `  - name: micro-number-${n}\n    src: m${n}\n    engine: nodejs16\n${n === 0 ? '    primary: true\n' : ''}    actions:\n` +
      Array.from({ length: 5 }, (_, a) => action(n, a)).join('');
    const micros = Array.from({ length: 5 }, (_, n) => micro(n));
    return writeApp(`v: 0\nmicros:\n${micros.join('')}`, Object.fromEntries(Array.from({ length: 5 }, (_, n) => [`m${n}/index.js`, ''])));
  };

  test('fits Lambda with the largest app Space allowed, under a stack name of typical length', () => {
    const { space } = synth({ app: largest() }, { stackName: 'my-space-app-production' });
    expect(Object.keys(space.actions)).toHaveLength(25);
    expect(space.console).toBeDefined();
  });

  test('fits under the longest stack name CloudFormation allows', () => {
    expect(synth({ app: largest() }, { stackName: `s${'-long-stack-name'.repeat(8)}`.slice(0, 128) }).space.console).toBeDefined();
  });

  test('an environment that could pass 4 KB once deployed is refused at synth, naming the console and the way out', () => {
    // Log groups named by hand may be long (512 characters): as a console built over such micros would see them.
    const { stack, space } = synth({ app: largest(), console: false });
    const longLogged = Object.fromEntries(
      Object.entries(space.micros).map(([name, micro]) => [
        name,
        { function: micro.function, logGroup: new logs.LogGroup(stack, `Long-${name}`, { logGroupName: `/app/${name}/${'x'.repeat(900)}` }) },
      ]),
    ) as unknown as Record<string, SpaceMicro>;
    const build = () =>
      new SpaceConsole(stack, 'LongConsole', {
        app: space.app,
        url: space.router.url,
        ownerSecret: space.auth!.ownerSecret,
        apiKeysTable: space.auth!.apiKeysTable,
        micros: longLogged,
        accessLogGroup: space.router.accessLogGroup,
      });
    expect(build).toThrow(
      /^Test\/LongConsole: the console's environment \(this app's resource names\) may need \d+ bytes once deployed, over Lambda's 4096; the longest names: micro 'micro-number-0' log group \(up to 920\), micro 'micro-number-1' log group \(up to 920\), micro 'micro-number-2' log group \(up to 920\)\. Shorten those, or the stack's name \('Test', part of every generated name\), or set console: false$/,
    );
  });
});

describe('turning the console off', () => {
  test('console: false leaves /__space to the sign-in function, as without a console', () => {
    const { space, template } = synth({ spacefile: EXAMPLE, console: false });
    expect(space.console).toBeUndefined();
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey);
    expect(keys).toEqual(expect.arrayContaining(['ANY /__space', 'ANY /__space/{proxy+}']));
    expect(keys).not.toContain('ANY /__space/signin');
  });

  test('an app with its own authorizer has no console, and asking for one says why', () => {
    expect(synth({ spacefile: EXAMPLE, authorizer: new HttpIamAuthorizer() }).space.console).toBeUndefined();
    expect(() => synth({ spacefile: EXAMPLE, authorizer: new HttpIamAuthorizer(), console: {} })).toThrow(/console needs SpaceAuth's owner sign-in/);
  });
});
