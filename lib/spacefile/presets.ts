/** `presets` of a micro: the environment variables the installer fills in, and whether API keys are accepted. */
import { isAdapterVariable, SPACE_VARIABLES } from './platform-variables';
import type { EnvPreset } from './model';
import type { ValueReader } from './reader';

export interface Presets {
  readonly envPresets: EnvPreset[];
  readonly apiKeys: boolean;
}

const PRESET_KEYS = ['env', 'api_keys'] as const;
const ENV_KEYS = ['name', 'description', 'default'] as const;

/** Lambda refuses any other variable name (a letter, then at least one letter, digit or underscore). */
const LAMBDA_ENV_NAME = /^[A-Za-z][A-Za-z0-9_]+$/;

/**
 * Variables Lambda sets itself and refuses in a function's configuration (AWS's list of reserved keys; `TZ`,
 * `LANG`, `PATH`, `LD_LIBRARY_PATH`, `NODE_PATH` and `PYTHONPATH` are set by Lambda but may be overridden).
 */
export const LAMBDA_RESERVED_ENV: ReadonlySet<string> = new Set([
  // Stryker disable next-line StringLiteral: equivalent for presets, whose name rule refuses a leading '_' first (the emulator's use is tested with it)
  '_HANDLER',
  // Stryker disable next-line StringLiteral: equivalent for presets, as above
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);

export function readPresets(value: ValueReader | undefined): Presets {
  const presets = value?.map(PRESET_KEYS);
  const apiKeys = presets?.optional('api_keys')?.boolean() ?? false;
  const envList = presets?.optional('env')?.list() ?? [];
  return { envPresets: dropEarlierDuplicates(envList.flatMap((item) => readEnvPreset(item) ?? [])), apiKeys };
}

function readEnvPreset(item: ValueReader): { preset: EnvPreset; reader: ValueReader } | undefined {
  const entry = item.map(ENV_KEYS);
  if (!entry) return undefined;
  const nameReader = entry.required('name', 'an environment variable name');
  const name = nameReader?.string();
  const description = entry.optional('description')?.string();
  // `default: ""` is an empty default; no `default` (or `default:` with nothing after it) means none.
  const defaultValue = entry.optional('default')?.string();
  if (name === undefined || !nameReader) return undefined;
  if (!LAMBDA_ENV_NAME.test(name)) {
    nameReader.error('is not a valid environment variable name', {
      expected: 'a letter followed by letters, digits or underscores (at least 2 characters)',
      found: `'${name}'`,
    });
    return undefined;
  }
  if (LAMBDA_RESERVED_ENV.has(name)) {
    nameReader.error(`'${name}' is set by AWS Lambda itself and cannot be a preset`);
    return undefined;
  }
  if (isAdapterVariable(name)) {
    nameReader.error(`'${name}' is set by the platform for the runtime adapter and cannot be a preset`);
    return undefined;
  }
  // Published apps declared these (Deta ran them), and Space's own value won: so here, in the cloud and locally.
  if (SPACE_VARIABLES.has(name)) {
    nameReader.warn(`'${name}' is set by Space itself: this preset is ignored and the micro gets the platform's value`);
    return undefined;
  }
  const preset: EnvPreset = {
    name,
    location: item.location,
    ...(description !== undefined && { description }),
    ...(defaultValue !== undefined && { default: defaultValue }),
  };
  return { preset, reader: nameReader };
}

/**
 * Deta ran apps whose presets name one variable twice (about 100 in the wild), so a duplicate is a warning.
 * The last definition wins, as when the same key is assigned twice; it keeps the first one's place in the list.
 */
function dropEarlierDuplicates(entries: Array<{ preset: EnvPreset; reader: ValueReader }>): EnvPreset[] {
  const byName = new Map<string, EnvPreset>();
  for (const { preset, reader } of entries) {
    const earlier = byName.get(preset.name);
    if (earlier) {
      reader.warn(`env preset '${preset.name}' is defined again; this definition replaces the one at line ${earlier.location.line}`);
    }
    byName.set(preset.name, preset);
  }
  return [...byName.values()];
}
