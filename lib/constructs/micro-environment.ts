import type { IConstruct } from 'constructs';
import type { Micro } from '../spacefile/model';
import { ADAPTER_WRAPPER } from './adapter-layer';
import { SpaceportConstructError } from './errors';

/** The port the adapter expects the micro's server on, in the cloud (locally each environment gets a free one). */
export const CLOUD_PORT = '8080';

export interface MicroEnvironmentInputs {
  readonly micro: Micro;
  /** Values for `presets.env`, by preset name; missing ones fall back to CDK context, then the Spacefile default. */
  readonly presetValues?: Readonly<Record<string, string>>;
  readonly projectKey: string;
  readonly hostname: string;
  readonly appVersion: string;
}

/** CDK context key a preset value can be passed with: `cdk deploy -c preset:web.GREETING=hi`. */
export function presetContextKey(microName: string, presetName: string): string {
  return `preset:${microName}.${presetName}`;
}

/**
 * The environment a micro's function runs with: the adapter's configuration (the contract in
 * `runtime-layer/`), the Space environment apps read, and the micro's presets.
 */
export function microEnvironment(scope: IConstruct, inputs: MicroEnvironmentInputs): Record<string, string> {
  const { micro } = inputs;
  const adapter: Record<string, string> = {
    AWS_LAMBDA_EXEC_WRAPPER: ADAPTER_WRAPPER,
    PORT: CLOUD_PORT,
    SPACEPORT_BASE_PATH: micro.primary ? '' : micro.path,
  };
  if (micro.run !== undefined) adapter.SPACEPORT_RUN = micro.run;
  if (micro.kind === 'static' && micro.serve !== undefined) adapter.SPACEPORT_STATIC_DIR = micro.serve;
  return {
    ...resolvePresets(scope, micro, inputs.presetValues ?? {}),
    ...adapter,
    DETA_PROJECT_KEY: inputs.projectKey,
    DETA_SPACE_APP: 'true',
    DETA_RUNTIME: 'true',
    DETA_SPACE_APP_VERSION: inputs.appVersion,
    DETA_SPACE_APP_HOSTNAME: inputs.hostname,
    DETA_SPACE_APP_MICRO_NAME: micro.name,
    DETA_SPACE_APP_MICRO_TYPE: micro.primary ? 'primary' : 'normal',
  };
}

function resolvePresets(scope: IConstruct, micro: Micro, given: Readonly<Record<string, string>>): Record<string, string> {
  const declared = new Set(micro.envPresets.map((preset) => preset.name));
  const unknown = Object.keys(given).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new SpaceportConstructError(
      scope,
      `micro '${micro.name}' has no preset ${unknown.join(', ')} (declared: ${[...declared].join(', ') || 'none'})`,
      micro.location,
    );
  }
  const values: Record<string, string> = {};
  for (const preset of micro.envPresets) {
    const fromContext = scope.node.tryGetContext(presetContextKey(micro.name, preset.name));
    const value = given[preset.name] ?? (fromContext === undefined ? undefined : String(fromContext)) ?? preset.default;
    if (value === undefined) {
      throw new SpaceportConstructError(
        scope,
        `micro '${micro.name}' needs a value for preset ${preset.name}, which has no default: pass ` +
          `presetValues: { ${micro.name}: { ${preset.name}: '...' } } or -c ${presetContextKey(micro.name, preset.name)}=...`,
        preset.location,
      );
    }
    values[preset.name] = value;
  }
  return values;
}
