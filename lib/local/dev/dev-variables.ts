/**
 * The environment variables of a micro's function under `spaceport dev`: the same definition as the deployed
 * function's (`lib/spacefile/platform-variables.ts`), with the preset values from `--env`, `.env` and the Spacefile.
 * `PORT` is left to the pool, which gives each execution environment its own.
 */
import { functionVariables } from '../../spacefile/platform-variables';
import type { Micro, SpaceAppModel } from '../../spacefile/model';
import { UsageError } from '../../core/errors';

/** Where preset values come from, strongest first: `--env` flags, the `.env` file, the Spacefile defaults. */
export interface PresetSources {
  readonly flags: ReadonlyMap<string, string>;
  readonly dotenv: ReadonlyMap<string, string>;
  /** Path of the `.env` file, for messages. */
  readonly dotenvFile: string;
}

export interface SpaceEnvironment {
  readonly projectKey: string;
  /** `DETA_API_KEY`: the app's internal key, which the router accepts as `X-API-Key` on every micro route. */
  readonly internalKey: string;
  /** `localhost:<router port>`: the primary's hostname, no scheme. */
  readonly hostname: string;
  /** Where the micro's SDK finds Base and Drive and how it trusts them (`dataVariables`). */
  readonly data?: Readonly<Record<string, string>>;
}

/** `NAME=value` from a `--env` flag. */
export function parseEnvFlag(flag: string): [string, string] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new UsageError(`--env ${flag}: expected NAME=value`);
  return [flag.slice(0, eq), flag.slice(eq + 1)];
}

/**
 * Every micro's preset values. A `--env` naming no preset is a mistake (the app would never see it); a preset
 * without any value is one too, named with where to set it.
 */
export function resolvePresets(app: SpaceAppModel, sources: PresetSources): Map<string, Record<string, string>> {
  const declared = new Set(app.micros.flatMap((micro) => micro.envPresets.map((preset) => preset.name)));
  for (const name of sources.flags.keys()) {
    if (!declared.has(name)) {
      throw new UsageError(`--env ${name}: no micro of ${app.spacefile} declares a preset named ${name}`);
    }
  }
  const values = new Map<string, Record<string, string>>();
  for (const micro of app.micros) {
    const presets: Record<string, string> = {};
    for (const preset of micro.envPresets) {
      const value = sources.flags.get(preset.name) ?? sources.dotenv.get(preset.name) ?? preset.default;
      if (value === undefined) {
        throw new UsageError(
          `${preset.location.file}:${preset.location.line}: preset ${preset.name} of micro ${micro.name} has no ` +
            `default and no value: add ${preset.name}=... to ${sources.dotenvFile} or pass --env ${preset.name}=...`,
        );
      }
      presets[preset.name] = value;
    }
    values.set(micro.name, presets);
  }
  return values;
}

/** The function environment of `micro`, without `PORT`; a static micro's `dev` command replaces serving its files. */
export function microFunctionVariables(micro: Micro, space: SpaceEnvironment, presets: Readonly<Record<string, string>>): Record<string, string> {
  return functionVariables(micro, { ...space, appVersion: 'dev', command: micro.dev ?? micro.run }, presets);
}
