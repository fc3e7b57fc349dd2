import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IntervalError, parseInterval, type Interval } from '../spacefile/interval';
import { loadSpacefile } from '../spacefile/load';
import { NODE_RUNTIMES, PYTHON_RUNTIMES, type ActionOverride, type LambdaRuntimeName, type SpaceAppModel } from '../spacefile/model';
import { actionDeadLetterQueue, actionInvokerRole, SpaceAction } from './action';
import { SpaceportConstructError } from './errors';
import { SpaceMicro } from './micro';
import { SpaceInternalKey } from './internal-key-secret';
import { SpaceProjectKey } from './project-key-secret';
import { MANIFEST_OUTPUT_ID, type DeployedAppManifest } from './app-manifest';
import { SpaceRouter, type SpaceDomainProps } from './router';
import { SpaceAuth } from './auth';
import { SpaceConsole, type SpaceConsoleProps } from './console';
import { SpaceData, type SpaceDataProps } from './data';
import { lambdaRuntime } from './runtimes';

export interface SpaceAppProps {
  /**
   * Path of the Spacefile to deploy. Exactly one of `spacefile` and `app` is required.
   * @default none
   * @example 'examples/hello/Spacefile'
   */
  readonly spacefile?: string;
  /**
   * The already loaded app model (`loadSpacefile`).
   * @default loaded from `spacefile`
   */
  readonly app?: SpaceAppModel;
  /**
   * Preset values by micro, then by preset name.
   * @default CDK context `preset:<micro>.<NAME>`, then the Spacefile defaults
   * @example { web: { GREETING: 'hello' } }
   */
  readonly presetValues?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * `DETA_SPACE_APP_VERSION`.
   * @default '1'
   */
  readonly appVersion?: string;
  /**
   * Instruction set of every micro; dependencies are packaged for it.
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Lambda runtime per micro name, to move a micro off its engine's default (e.g. `{ api: 'python3.14' }`).
   * @default each micro's `runtime` from the Spacefile model
   */
  readonly runtimes?: Readonly<Record<string, LambdaRuntimeName>>;
  /**
   * Bundle Node micros started by `node <file>` into that file with esbuild (see `SpaceMicroProps.bundleNode`).
   * @default false
   */
  readonly bundleNode?: boolean;
  /**
   * How long function and access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Owner changes to scheduled actions by action id (an interval in Space syntax, or `enabled: false` to pause),
   * as `spaceport actions set|pause` record them, so a deploy keeps them instead of reverting them.
   * @default CDK context `actions:<stack name>` (cdk.context.json), else every action as the Spacefile declares it
   */
  readonly actionOverrides?: Readonly<Record<string, ActionOverride>>;
  /**
   * A custom domain for the app, as Space offered: the app then answers on it and `DETA_SPACE_APP_HOSTNAME` names it.
   * @default the HTTP API's own `execute-api` host only
   */
  readonly domain?: SpaceDomainProps;
  /**
   * The runtime adapter layer every micro uses.
   * @default the stack's layer built from `runtime-layer/dist/layer` (`npm run build`)
   */
  readonly adapterLayer?: lambda.ILayerVersion;
  /**
   * Authorizes private routes (see `SpaceRouter`).
   * @default a `SpaceAuth` (lib/constructs/auth.ts, applying lib/auth): owner sign-in, public routes and API keys, as on Space
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /**
   * The generation of the app's generated secrets (owner secret, internal key, project key): any change generates
   * new ones at the next deployment. Keep the new value (in code or cdk.json): changing it back rotates again.
   * @default CDK context `spaceport:secrets-generation`, else '1'
   */
  readonly secretsGeneration?: string;
  /**
   * The app's request rate limit and burst (see `SpaceRouter`); above them API Gateway answers 429.
   * @default DEFAULT_THROTTLE: 50 requests per second, bursts of 100
   */
  readonly throttle?: apigwv2.ThrottleSettings;
  /**
   * Deta Base and Drive (`SpaceData`, created when the app has a micro): its settings, or `false` for an app that
   * keeps no data.
   * @default a SpaceData with its defaults: table and bucket retained when the stack is deleted
   */
  readonly data?: false | Omit<SpaceDataProps, 'projectKey' | 'ownerSecret' | 'logRetention'>;
  /**
   * The owner's console at `/__space/` (`SpaceConsole`): its settings, or `false` to turn it off. It needs the
   * owner's sign-in, so an app given its own `authorizer` has none.
   * @default a SpaceConsole when SpaceAuth protects the app; none with `authorizer`
   */
  readonly console?: false | Pick<SpaceConsoleProps, 'cdk'>;
  /**
   * Escape hatch: overrides merged over every micro's function, the HTTP API and every schedule.
   * @default no overrides
   */
  readonly cdk?: {
    readonly function?: Partial<lambda.FunctionProps>;
    readonly httpApi?: Partial<apigwv2.HttpApiProps>;
    readonly schedule?: Partial<scheduler.ScheduleProps>;
  };
}

/**
 * A whole Space app from its Spacefile: the project and internal keys, the router, one `SpaceMicro` per micro and one
 * `SpaceAction` per scheduled action, with the app's URL as a stack output.
 */
export class SpaceApp extends Construct {
  readonly app: SpaceAppModel;
  readonly projectKey: SpaceProjectKey;
  /** `DETA_API_KEY` of every micro; `X-API-Key` with it passes the default authorizer like the owner. */
  readonly internalKey: SpaceInternalKey;
  readonly router: SpaceRouter;
  /** The owner secret, API key table, authorizer and sign-in function, unless `authorizer` replaced them. */
  readonly auth?: SpaceAuth;
  /** Deta Base and Drive, unless `data: false`. */
  readonly data?: SpaceData;
  /** By micro name. */
  readonly micros: Readonly<Record<string, SpaceMicro>>;
  /** By action id. */
  readonly actions: Readonly<Record<string, SpaceAction>>;
  readonly scheduleGroup?: scheduler.ScheduleGroup;
  /** Receives action events that could not be delivered or whose invocation kept failing. */
  readonly actionDeadLetterQueue?: sqs.Queue;
  /** The owner's console at `/__space/`, unless turned off (`console: false`) or the app has its own `authorizer`. */
  readonly console?: SpaceConsole;

  constructor(scope: Construct, id: string, props: SpaceAppProps) {
    super(scope, id);
    this.app = appModel(this, props);
    this.validateOptions(props);
    this.projectKey = new SpaceProjectKey(this, 'ProjectKey', { generation: props.secretsGeneration });
    this.internalKey = new SpaceInternalKey(this, 'InternalKey', { generation: props.secretsGeneration });
    // Private by default: deploying never exposes what the Spacefile keeps private.
    this.auth = props.authorizer
      ? undefined
      : new SpaceAuth(this, 'Auth', {
          app: this.app,
          internalKey: this.internalKey.environmentValue,
          secretsGeneration: props.secretsGeneration,
          logRetention: props.logRetention,
        });
    const withConsole = this.auth !== undefined && props.console !== false;
    this.router = new SpaceRouter(this, 'Router', {
      app: this.app,
      console: withConsole,
      authorizer: props.authorizer ?? this.auth?.authorizer,
      runtimeIntegration: this.auth?.runtimeIntegration,
      preflightIntegration: this.auth?.runtimeIntegration,
      throttle: props.throttle,
      logRetention: props.logRetention,
      domain: props.domain,
      cdk: { httpApi: props.cdk?.httpApi },
    });
    if (props.data !== false && this.app.micros.length > 0) {
      this.data = new SpaceData(this, 'Data', {
        ...props.data,
        projectKey: this.projectKey,
        ownerSecret: this.auth?.ownerSecret,
        logRetention: props.logRetention,
      });
      if (this.auth) this.data.addBrowserPath(this.router.httpApi);
    }
    const micros: Record<string, SpaceMicro> = {};
    for (const micro of this.app.micros) {
      const runtimeName = props.runtimes?.[micro.name];
      micros[micro.name] = new SpaceMicro(this, `Micro-${micro.name}`, {
        micro,
        projectKey: this.projectKey,
        internalKey: this.internalKey,
        hostname: this.router.hostname,
        dataHost: this.data?.host,
        appVersion: props.appVersion,
        presetValues: props.presetValues?.[micro.name],
        runtime: runtimeName ? lambdaRuntime(runtimeName) : undefined,
        architecture: props.architecture,
        bundleNode: props.bundleNode,
        logRetention: props.logRetention,
        adapterLayer: props.adapterLayer,
        cdk: { function: props.cdk?.function },
      });
      this.router.addMicro(micro, micros[micro.name].function);
    }
    this.micros = micros;

    const overrides = this.actionOverrides(props);
    const actions: Record<string, SpaceAction> = {};
    if (this.app.actions.length > 0) {
      this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules', {});
      this.actionDeadLetterQueue = actionDeadLetterQueue(this, 'ActionDeadLetterQueue');
      const invokerRoles: Record<string, iam.Role> = {};
      for (const micro of this.app.micros.filter((m) => m.actions.length > 0)) {
        invokerRoles[micro.name] = actionInvokerRole(micros[micro.name], 'ActionInvokerRole', micros[micro.name].function);
        // Scheduler invokes asynchronously: a failing action is retried by Lambda, then parked in the queue.
        micros[micro.name].function.configureAsyncInvoke({
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          onFailure: new SqsDestination(this.actionDeadLetterQueue),
        });
      }
      for (const action of this.app.actions) {
        actions[action.id] = new SpaceAction(this, `Action-${action.id}`, {
          action,
          function: micros[action.microName].function,
          interval: overrides[action.id]?.interval,
          enabled: overrides[action.id]?.enabled,
          scheduleGroup: this.scheduleGroup,
          role: invokerRoles[action.microName],
          deadLetterQueue: this.actionDeadLetterQueue,
          cdk: { schedule: props.cdk?.schedule },
        });
      }
    }
    this.actions = actions;
    if (withConsole && this.auth) {
      this.console = new SpaceConsole(this, 'Console', {
        app: this.app,
        url: this.router.url,
        ownerSecret: this.auth.ownerSecret,
        apiKeysTable: this.auth.apiKeysTable,
        micros: this.micros,
        accessLogGroup: this.router.accessLogGroup,
        actions: this.actions,
        scheduleGroup: this.scheduleGroup,
        data: this.data,
        logRetention: props.logRetention,
        cdk: props.console ? props.console.cdk : undefined,
      });
      this.router.addConsole(this.console.function, this.auth.authorizer);
    }
    this.addManifestOutput();
  }

  /** The stack output the operate commands find the app by (`app-manifest.ts`). */
  private addManifestOutput(): void {
    const manifest: DeployedAppManifest = {
      version: 1,
      appName: this.app.name,
      url: this.router.url,
      scheduleGroup: this.scheduleGroup?.scheduleGroupName,
      accessLogGroup: this.router.accessLogGroup.logGroupName,
      data: this.data ? { table: this.data.table.tableName, bucket: this.data.bucket.bucketName, projectId: this.projectKey.projectId } : undefined,
      micros: Object.fromEntries(
        Object.entries(this.micros).map(([name, micro]) => [
          name,
          { functionName: micro.function.functionName, logGroup: micro.logGroup.logGroupName },
        ]),
      ),
    };
    const output = new CfnOutput(this, 'Manifest', {
      description: 'What spaceport actions and spaceport logs read to find this app',
      value: Stack.of(this).toJsonString(manifest),
    });
    output.overrideLogicalId(MANIFEST_OUTPUT_ID);
  }

  /** `actionOverrides`, each checked against the Spacefile's actions and parsed like a `default_interval`. */
  private actionOverrides(props: SpaceAppProps): Record<string, { interval?: Interval; enabled?: boolean }> {
    const parsed: Record<string, { interval?: Interval; enabled?: boolean }> = {};
    for (const [id, override] of Object.entries(props.actionOverrides ?? {})) {
      const action = this.app.actions.find((candidate) => candidate.id === id);
      if (!action) {
        const ids = this.app.actions.map((candidate) => candidate.id).join(', ') || 'none';
        throw new SpaceportConstructError(this, `actionOverrides names action '${id}', which the Spacefile does not declare (actions: ${ids})`);
      }
      let interval: Interval | undefined;
      try {
        interval = override.interval === undefined ? undefined : parseInterval(override.interval);
      } catch (error) {
        if (!(error instanceof IntervalError)) throw error;
        throw new SpaceportConstructError(this, `actionOverrides.${id}: ${error.message}`, action.location);
      }
      parsed[id] = { interval, enabled: override.enabled };
    }
    return parsed;
  }

  private validateOptions(props: SpaceAppProps): void {
    if (props.authorizer && props.console) {
      throw new SpaceportConstructError(
        this,
        "console needs SpaceAuth's owner sign-in: it cannot go with an `authorizer` of your own (pass console: false)",
      );
    }
    const names = new Set(this.app.micros.map((micro) => micro.name));
    for (const [option, byMicro] of [
      ['presetValues', props.presetValues],
      ['runtimes', props.runtimes],
    ] as const) {
      const unknown = Object.keys(byMicro ?? {}).filter((name) => !names.has(name));
      if (unknown.length > 0) {
        throw new SpaceportConstructError(
          this,
          `${option} names micro ${unknown.join(', ')}, which the Spacefile does not declare (micros: ${[...names].join(', ')})`,
        );
      }
    }
    for (const [microName, runtime] of Object.entries(props.runtimes ?? {})) {
      const micro = this.app.micros.find((candidate) => candidate.name === microName)!;
      const choices: readonly LambdaRuntimeName[] = micro.kind === 'python' ? PYTHON_RUNTIMES : NODE_RUNTIMES;
      if (!choices.includes(runtime)) {
        throw new SpaceportConstructError(
          this,
          `runtimes.${microName}: '${runtime}' cannot run micro '${microName}' (engine ${micro.engine}); ` + `choose one of ${choices.join(', ')}`,
          micro.location,
        );
      }
    }
  }
}

function appModel(scope: Construct, props: SpaceAppProps): SpaceAppModel {
  if ((props.app === undefined) === (props.spacefile === undefined)) {
    throw new SpaceportConstructError(scope, 'pass exactly one of `spacefile` (a path) and `app` (a loaded model)');
  }
  return props.app ?? loadSpacefile(props.spacefile as string);
}
