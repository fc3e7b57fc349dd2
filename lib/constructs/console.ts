/**
 * The owner's console in the cloud (`/__space/` on the app's own host): one small function serving the shared
 * console pages (lib/console) over the app's own resources, each granted on its own ARNs only. Behind the
 * authorizer's console rule: the owner's session opens it, API keys and the internal key never do.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { INTEGRATION_TIMEOUT_SECONDS, LAMBDA_ENVIRONMENT_LIMIT } from '../core/limits';
import { consoleOverview } from '../console/overview';
import { CONSOLE_APP_FILE, CONSOLE_ENV, type ConsoleAppFile, type ConsoleResources } from '../handlers/console-handler';
import type { SpaceAppModel } from '../spacefile/model';
import type { SpaceAction } from './action';
import type { SpaceData } from './data';
import type { SpaceGeneratedSecret } from './generated-secret';
import { deployedLengthBound } from './deployed-length';
import { SpaceportConstructError } from './errors';
import { handlerFunction } from './handler-function';
import type { SpaceMicro } from './micro';

export interface SpaceConsoleProps {
  /** The app whose overview the console shows, as synth loaded it. */
  readonly app: SpaceAppModel;
  /** The app's URL (`SpaceRouter.url`). */
  readonly url: string;
  /** The owner secret: the console checks the owner's session and derives its CSRF key from it. */
  readonly ownerSecret: SpaceGeneratedSecret;
  /** The API key table (`SpaceAuth.apiKeysTable`) the keys page manages. */
  readonly apiKeysTable: dynamodb.ITable;
  /** The app's micros by name: their functions (App Actions, run now) and log groups (logs). */
  readonly micros: Readonly<Record<string, SpaceMicro>>;
  /** The app's HTTP API access log: the logs page's `router` lines. */
  readonly accessLogGroup: logs.ILogGroup;
  /**
   * The app's scheduled actions by id, for the actions page.
   * @default none
   */
  readonly actions?: Readonly<Record<string, SpaceAction>>;
  /**
   * The group holding the actions' schedules.
   * @default none (required with `actions`)
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  /**
   * The app's Deta Base and Drive, for the data page.
   * @default none: the data page says the app keeps no data
   */
  readonly data?: SpaceData;
  /**
   * How long the console function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Escape hatch: properties merged over the console function's.
   * @default no overrides
   */
  readonly cdk?: { readonly function?: Partial<lambda.FunctionProps> };
}

/** The console function and its grants; `SpaceRouter.addConsole` routes `/__space/*` to it. */
export class SpaceConsole extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: SpaceConsoleProps) {
    super(scope, id);
    const actions = Object.values(props.actions ?? {});
    const scheduleNames = actions.map((action) => action.scheduleName);
    const overview: ConsoleAppFile = {
      // The runtime deployed, which `SpaceAppProps.runtimes` may have moved off the engine's default.
      app: consoleOverview(props.app, (micro) => props.micros[micro.name]?.function.runtime.name ?? micro.runtime),
      actions: props.app.actions.map((action) => ({ id: action.id, name: action.name, micro: action.microName })),
      scheduleNames: scheduleNames.filter((name) => !Token.isUnresolved(name)),
    };
    // Grows with the app (a function and a log group per micro) and with the stack's name, which CloudFormation puts
    // in each generated name: checked below against Lambda's 4 KB environment.
    const resources: ConsoleResources = {
      url: props.url,
      micros: Object.fromEntries(
        Object.entries(props.micros).map(([name, micro]) => [
          name,
          { functionName: micro.function.functionName, logGroup: micro.logGroup.logGroupName },
        ]),
      ),
      scheduleGroup: props.scheduleGroup?.scheduleGroupName,
      scheduleNames: scheduleNames.filter((name) => Token.isUnresolved(name)),
      accessLogGroup: props.accessLogGroup.logGroupName,
      keysTable: props.apiKeysTable.tableName,
      data: props.data && { table: props.data.table.tableName, bucket: props.data.bucket.bucketName, projectId: props.data.projectId },
    };
    this.function = handlerFunction(this, 'Function', {
      module: 'console-handler',
      description: "Spaceport owner's console (/__space/)",
      files: { [CONSOLE_APP_FILE]: JSON.stringify(overview) },
      // Running an action waits for the micro (20 s, plus a cold start), inside the HTTP API's integration timeout.
      timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS - 1),
      // Exports zip the app's data in memory-sized chunks.
      memorySize: 512,
      logRetention: props.logRetention,
      environment: this.checkedEnvironment(
        {
          [CONSOLE_ENV.ownerSecretParameter]: props.ownerSecret.parameterName,
          [CONSOLE_ENV.resources]: Stack.of(this).toJsonString(resources),
        },
        resources,
      ),
      overrides: props.cdk?.function,
    });
    this.grant(props, actions);
  }

  /** Lambda refuses an environment over 4 KB only at deploy, after a long wait: refuse one that could be at synth. */
  private checkedEnvironment(environment: Record<string, string>, resources: ConsoleResources): Record<string, string> {
    const bytes = Object.entries(environment).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + deployedLengthBound(this, value), 0);
    if (bytes <= LAMBDA_ENVIRONMENT_LIMIT) return environment;
    const names: Array<[string, string]> = [
      ...Object.entries(resources.micros).flatMap(([micro, { functionName, logGroup }]): Array<[string, string]> => [
        [`micro '${micro}' function`, functionName],
        [`micro '${micro}' log group`, logGroup],
      ]),
      ['access log group', resources.accessLogGroup],
      ['API key table', resources.keysTable],
    ];
    const longest = names
      .map(([what, name]) => ({ what, bytes: deployedLengthBound(this, name) }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map(({ what, bytes: length }) => `${what} (up to ${length})`);
    throw new SpaceportConstructError(
      this,
      `the console's environment (this app's resource names) may need ${bytes} bytes once deployed, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}; ` +
        `the longest names: ${longest.join(', ')}. Shorten those, or the stack's name ('${Stack.of(this).stackName}', part of every generated name), or set console: false`,
    );
  }

  /** Least privilege: each grant names this app's own resources, never a service's whole account. */
  private grant(props: SpaceConsoleProps, actions: readonly SpaceAction[]): void {
    const fn = this.function;
    props.ownerSecret.grantRead(fn);
    // The keys page: list (Scan), create (a Scan for the name, then PutItem), delete.
    props.apiKeysTable.grant(fn, 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    props.data?.grantData(fn, { catalog: true });
    const micros = Object.values(props.micros);
    if (micros.length > 0) {
      // Run now and App Actions invoke the micros' functions, unqualified: no versions or aliases.
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: micros.map((micro) => micro.function.functionArn) }),
      );
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['logs:FilterLogEvents'],
        resources: [...micros.map((micro) => micro.logGroup.logGroupArn), props.accessLogGroup.logGroupArn],
      }),
    );
    if (actions.length > 0) {
      // The schedules are read by name (ListSchedules cannot be limited to a group) and sent back whole.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
          resources: actions.map((action) => action.schedule.scheduleArn),
        }),
      );
      // UpdateSchedule passes the schedule's invoker role again; only those roles, only to EventBridge Scheduler.
      const roles = [...new Set(actions.map((action) => action.role.roleArn))];
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: roles,
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
  }
}
