import { Duration, Size, Stage, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { microCode } from '../packaging/micro-code';
import { SPACE_MICRO_LIMITS } from '../core/limits';
import type { Micro } from '../spacefile/model';
import { adapterLayer } from './adapter-layer';
import { FunctionLogging } from './function-logging';
import { microVariables } from './micro-variables';
import type { SpaceInternalKey } from './internal-key-secret';
import type { SpaceProjectKey } from './project-key-secret';
import { lambdaRuntime } from './runtimes';

/** The limits of a Deta Space micro (`SPACE_MICRO_LIMITS`) as the function props every micro's function gets. */
export const MICRO_LIMITS = {
  memorySize: SPACE_MICRO_LIMITS.memoryMb,
  timeout: Duration.seconds(SPACE_MICRO_LIMITS.timeoutSeconds),
  ephemeralStorageSize: Size.mebibytes(SPACE_MICRO_LIMITS.tmpMb),
} as const;

export interface SpaceMicroProps {
  /** The micro, from the loaded Spacefile (`loadSpacefile`). */
  readonly micro: Micro;
  /** Supplies `DETA_PROJECT_KEY`. */
  readonly projectKey: SpaceProjectKey;
  /** Supplies `DETA_API_KEY`, which the app's authorizer accepts as `X-API-Key` from sibling micros. */
  readonly internalKey: SpaceInternalKey;
  /** The app's host, no scheme (`DETA_SPACE_APP_HOSTNAME`), e.g. `SpaceRouter.hostname`. */
  readonly hostname: string;
  /**
   * The app's Deta Base and Drive host (`SpaceData.host`), given to the micro as `DETA_BASE_HOST` and `DETA_DRIVE_HOST`.
   * @default none: the SDKs fall back to Deta's own hosts, which no longer exist
   */
  readonly dataHost?: string;
  /**
   * `DETA_SPACE_APP_VERSION`.
   * @default '1'
   */
  readonly appVersion?: string;
  /**
   * Values of the micro's `presets.env`, by name.
   * @default CDK context `preset:<micro>.<NAME>`, then the Spacefile default; a preset with neither is an error
   */
  readonly presetValues?: Readonly<Record<string, string>>;
  /**
   * The Lambda runtime.
   * @default the runtime the Spacefile's engine maps to (`micro.runtime`)
   */
  readonly runtime?: lambda.Runtime;
  /**
   * The instruction set. Python wheels and npm native addons are packaged for it.
   * @default lambda.Architecture.X86_64, which native npm addons built on a typical x86_64 Linux machine match
   */
  readonly architecture?: lambda.Architecture;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Bundle the micro into its entry file with esbuild when `run` is `node <file>` (smaller, faster cold starts).
   * Off by default: apps that read files beside their dependencies or load native addons need node_modules as is.
   * @default false
   */
  readonly bundleNode?: boolean;
  /**
   * The micro's code.
   * @default the micro's `src` packaged by `microCode` (commands run, dependencies installed, `.spaceignore` honoured)
   */
  readonly code?: lambda.Code;
  /**
   * The runtime adapter layer.
   * @default the stack's shared layer built from `runtime-layer/dist/layer`
   */
  readonly adapterLayer?: lambda.ILayerVersion;
  /**
   * Escape hatch: properties merged over the safe defaults (`environment` is merged key by key).
   * @default no overrides
   */
  readonly cdk?: {
    readonly function?: Partial<lambda.FunctionProps>;
    readonly logGroup?: Partial<logs.LogGroupProps>;
  };
}

/** One micro of a Space app: its server, unchanged, on a Lambda function behind the runtime adapter. */
export class SpaceMicro extends Construct {
  readonly micro: Micro;
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** The function's role: it may write its own logs, and whatever you grant it. */
  readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: SpaceMicroProps) {
    super(scope, id);
    this.micro = props.micro;
    const architecture = props.architecture ?? lambda.Architecture.X86_64;
    const runtime = props.runtime ?? lambdaRuntime(props.micro.runtime);
    const logging = new FunctionLogging(this, 'Logging', {
      retention: props.logRetention,
      logGroup: props.cdk?.logGroup,
    });
    this.logGroup = logging.logGroup;
    const environment = microVariables(this, {
      micro: props.micro,
      presetValues: props.presetValues,
      projectKey: props.projectKey.environmentValue,
      internalKey: props.internalKey.environmentValue,
      hostname: props.hostname,
      appVersion: props.appVersion ?? '1',
      dataHost: props.dataHost,
    });
    const overrides = props.cdk?.function ?? {};
    this.function = new lambda.Function(this, 'Function', {
      description: `Space micro '${props.micro.name}' (${props.micro.engine})`,
      runtime,
      architecture,
      // The adapter replaces the runtime's client (AWS_LAMBDA_EXEC_WRAPPER), so no handler is ever called.
      handler: 'index.handler',
      code: props.code ?? microCode(props.micro, { architecture, runtime, bundleNode: props.bundleNode, assemblyDir: Stage.of(this)?.outdir }),
      layers: [props.adapterLayer ?? adapterLayer(this)],
      ...MICRO_LIMITS,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: logging.logGroup,
      role: logging.role,
      ...overrides,
      environment: { ...environment, ...overrides.environment },
    });
    this.role = this.function.role ?? logging.role;
    if (runtime.name === props.micro.runtime) acknowledgeChosenRuntime(this.function, props.micro);
  }
}

/**
 * The runtime a micro runs on is the Spacefile engine's mapping (or the user's choice), matched to the wheels and
 * addons its dependencies ship; moving it to the newest release silently is the user's decision, not ours.
 */
function acknowledgeChosenRuntime(fn: lambda.Function, micro: Micro): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      `Micro '${micro.name}' runs on ${micro.runtime}, the runtime its engine '${micro.engine}' maps to; ` +
      'dependencies are packaged for that version. Pass `runtimes` to choose a newer one.',
  });
}
