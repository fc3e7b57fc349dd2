/**
 * Spaceport's public API: what a CDK app or a script needs to run a Space app on AWS or on one machine.
 * Everything else under lib/ is internal and may change.
 */

// The Spacefile and its model.
export * from './spacefile/model';
export { SPACE_MICRO_LIMITS } from './core/limits';
export { parseInterval, IntervalError, type Interval } from './spacefile/interval';
export {
  loadSpacefile,
  loadSpacefileWithWarnings,
  parseSpacefile,
  parseSpacefileWithWarnings,
  type LoadOptions,
  type LoadResult,
} from './spacefile/load';
export { SpacefileError, type SpacefileProblem } from './spacefile/problems';

// Which micro receives which path, and the event a scheduled action arrives as.
export { matchRoute, routeKeys, stripBasePath, type RouteMatch } from './routing/routes';
export { ACTIONS_PATH, RESERVED_PREFIX } from './core/paths';
export { actionEvent, ACTION_EVENT_SOURCE, type ActionInvocationEvent } from './core/action-event';
export { appActionEvent, APP_ACTION_EVENT_SOURCE, type AppActionInvocationEvent } from './core/app-action-event';
export { UsageError } from './core/errors';

// The CDK constructs.
export { SpaceApp, type SpaceAppProps } from './constructs/app';
export { SpaceMicro, type SpaceMicroProps } from './constructs/micro';
export { DEFAULT_THROTTLE, SpaceRouter, type SpaceRouterProps } from './constructs/router';
export { SpaceAction, actionDeadLetterQueue, actionInvokerRole, type SpaceActionProps } from './constructs/action';
export { SpaceProjectKey, type SpaceProjectKeyProps } from './constructs/project-key-secret';
export { SpaceInternalKey, type SpaceInternalKeyProps } from './constructs/internal-key-secret';
export { SECRETS_GENERATION_CONTEXT, SpaceGeneratedSecret, type SpaceGeneratedSecretProps } from './constructs/generated-secret';
export { PARAMETER_RECHECK_MS } from './handlers/secure-parameter';
export { SpaceAuth, type SpaceAuthProps } from './constructs/auth';
export { SpaceConsole, type SpaceConsoleProps } from './constructs/console';
export { SpaceData, type SpaceDataProps, type SpaceDataThrottle, type DataProjectKey } from './constructs/data';
export { adapterLayer } from './constructs/adapter-layer';
export { SpaceportConstructError } from './constructs/errors';
export { microCode, type MicroPackagingOptions } from './packaging/micro-code';
export { PackagingError } from './packaging/steps';

// The local runtime: `spaceport dev` and the Lambda emulator under it.
export * from './local/dev/index';
export {
  ExecutionEnvironment,
  type ExecutionEnvironmentOptions,
  type InvocationResult,
  type InvocationOutcome,
  type EmulatedRuntimeName,
  type InvokeOptions,
} from './local/emulator/execution-environment';
export { PLACEHOLDER_CREDENTIALS, type AwsCredentials } from './local/emulator/lambda-variables';
export { probeSandbox, formatLimitsTable, type SandboxCapabilities } from './local/emulator/sandbox';
export { startInvokeServer, type InvokeServer } from './local/emulator/invoke-server';
