import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { LAMBDA_ENVIRONMENT_LIMIT } from '../core/limits';
import { dataHostVariables, functionVariables } from '../spacefile/platform-variables';
import type { Micro } from '../spacefile/model';
import { SpaceportConstructError } from './errors';

/** The port the adapter expects the micro's server on, in the cloud (locally each environment gets a free one). */
export const CLOUD_PORT = '8080';

export interface MicroVariablesInputs {
  readonly micro: Micro;
  /** Values for `presets.env`, by preset name; missing ones fall back to CDK context, then the Spacefile default. */
  readonly presetValues?: Readonly<Record<string, string>>;
  readonly projectKey: string;
  /** `DETA_API_KEY`, the app's internal key (a dynamic reference). */
  readonly internalKey: string;
  readonly hostname: string;
  readonly appVersion: string;
  /** `DETA_BASE_HOST` and `DETA_DRIVE_HOST`: the app's data endpoint (`SpaceData.host`), when it has one. */
  readonly dataHost?: string;
}

/** What a value known only at deploy time (the host, the project and internal keys) is counted as: all are well under this. */
const DEPLOY_TIME_VALUE_BYTES = 64;

/** CDK context key a preset value can be passed with: `cdk deploy -c preset:web.GREETING=hi`. */
export function presetContextKey(microName: string, presetName: string): string {
  return `preset:${microName}.${presetName}`;
}

/**
 * The environment a micro's function runs with (`lib/spacefile/platform-variables.ts`, shared with `spaceport dev`):
 * the adapter's configuration, the Space environment apps read, and the micro's presets.
 */
export function microVariables(scope: IConstruct, inputs: MicroVariablesInputs): Record<string, string> {
  const { micro } = inputs;
  const environment = functionVariables(
    micro,
    {
      projectKey: inputs.projectKey,
      internalKey: inputs.internalKey,
      hostname: inputs.hostname,
      appVersion: inputs.appVersion,
      command: micro.run,
      port: CLOUD_PORT,
      ...(inputs.dataHost !== undefined && { data: dataHostVariables(inputs.dataHost) }),
    },
    resolvePresets(scope, micro, inputs.presetValues ?? {}),
  );
  checkEnvironmentSize(scope, micro, environment);
  return environment;
}

/** Lambda refuses a larger environment at deploy time, after a long wait; say so at synth, naming the culprits. */
function checkEnvironmentSize(scope: IConstruct, micro: Micro, environment: Record<string, string>): void {
  const sizes = Object.entries(environment).map(([name, value]) => ({
    name,
    bytes: Buffer.byteLength(name) + (Token.isUnresolved(value) ? DEPLOY_TIME_VALUE_BYTES : Buffer.byteLength(value)),
  }));
  const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0);
  if (total <= LAMBDA_ENVIRONMENT_LIMIT) return;
  const largest = sizes
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map(({ name, bytes }) => `${name} (${bytes} bytes)`);
  throw new SpaceportConstructError(
    scope,
    `micro '${micro.name}' needs about ${total} bytes of environment variables, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}; ` +
      `the largest: ${largest.join(', ')}`,
    micro.location,
  );
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
