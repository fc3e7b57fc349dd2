/**
 * The normalised model of a Space app: what a Spacefile means once every default is filled in.
 *
 * The cloud constructs (`lib/constructs`) and the local runtime (`lib/local`) read only this model,
 * never the raw YAML, so no default is derived twice.
 */
import type { Interval } from './interval';

/** Engines the Spacefile v0 schema accepts. */
export const ENGINES = ['static', 'react', 'svelte', 'vue', 'next', 'nuxt', 'svelte-kit', 'python3.9', 'python3.8', 'nodejs16', 'custom'] as const;
export type Engine = (typeof ENGINES)[number];

/** Lambda runtimes a micro may run on. The first of each family is its default. */
export const NODE_RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const;
export const PYTHON_RUNTIMES = ['python3.13', 'python3.12', 'python3.14'] as const;
export type NodeRuntime = (typeof NODE_RUNTIMES)[number];
export type PythonRuntime = (typeof PYTHON_RUNTIMES)[number];
export type LambdaRuntimeName = NodeRuntime | PythonRuntime;

/**
 * How the adapter hosts a micro:
 * - `node`: a Node.js server (nodejs16, next, nuxt, svelte-kit) on a Node.js runtime.
 * - `python`: a Python server on a Python runtime.
 * - `static`: files served by the adapter's static mode (static, react, vue, svelte) on a Node.js runtime.
 * - `custom`: any executable (`run` is required) started on a Node.js runtime, which carries the adapter.
 */
export type MicroKind = 'node' | 'python' | 'static' | 'custom';

/** A position in a Spacefile, 1-based, for error messages that point at the user's line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** An environment variable the installer fills in (`presets.env`). */
export interface EnvPreset {
  readonly name: string;
  readonly description?: string;
  /** The default value; `undefined` when the Spacefile gives none (a value must then be supplied). */
  readonly default?: string;
  readonly location: SourceLocation;
}

/** A scheduled action (`actions[]` of a micro). */
export interface ScheduledAction {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly trigger: 'schedule';
  /** The parsed `default_interval`: one value for both the EventBridge expression and the local scheduler. */
  readonly interval: Interval;
  /** Name of the micro that declares the action and receives `POST /__space/v0/actions`. */
  readonly microName: string;
  readonly location: SourceLocation;
}

/**
 * An owner's change to a deployed action (`spaceport actions set|pause`), kept so the next deploy keeps it; absent
 * fields follow the Spacefile.
 */
export interface ActionOverride {
  /** A `default_interval` in Space syntax (`5 minutes`, `0 * * * *`). */
  readonly interval?: string;
  /** `false`: the schedule is deployed paused. */
  readonly enabled?: boolean;
}

export interface Micro {
  readonly name: string;
  /** `src` as written in the Spacefile. */
  readonly src: string;
  /** `src` resolved to an absolute directory. */
  readonly srcDir: string;
  readonly engine: Engine;
  readonly kind: MicroKind;
  /** The Lambda runtime the micro runs on, mapped from its engine (or chosen by the user). */
  readonly runtime: LambdaRuntimeName;
  readonly primary: boolean;
  /** `/` for the primary, otherwise the normalised `path` (leading `/`, no trailing `/`), default `/<name>`. */
  readonly path: string;
  /** Directory of static files relative to `srcDir`, normalised as `include` is (static-like engines only). */
  readonly serve?: string;
  /** Build commands run in `srcDir` before packaging (and by `spaceport dev --build`). */
  readonly commands: readonly string[];
  /** Where each of `commands` is written, in the same order, so a failing command is reported at its line. */
  readonly commandLocations: readonly SourceLocation[];
  /**
   * When set, only these files and directories are packaged: paths relative to `srcDir` as the reader normalised
   * them (`/`-separated, no `./`, no trailing `/`, `.` for the whole micro, never leaving it), each once.
   */
  readonly include?: readonly string[];
  /** The start command, defaults filled in; `$PORT` is expanded by a shell. Absent for static micros. */
  readonly run?: string;
  /** The local development command, when the Spacefile gives one (preferred over `run` by `spaceport dev`). */
  readonly dev?: string;
  readonly envPresets: readonly EnvPreset[];
  /** `presets.api_keys`: whether `X-Space-App-Key` is accepted. */
  readonly apiKeys: boolean;
  /** Public routes relative to the micro's path; `public: true` becomes `['/*']`. Empty means private. */
  readonly publicRoutes: readonly string[];
  readonly actions: readonly ScheduledAction[];
  readonly provideActions: boolean;
  readonly location: SourceLocation;
}

export interface SpaceAppModel {
  /** Absolute path of the Spacefile. */
  readonly spacefile: string;
  /** Directory holding the Spacefile; every `src` is relative to it. */
  readonly rootDir: string;
  /** `app_name`, or the name of the directory holding the Spacefile. */
  readonly name: string;
  readonly icon?: string;
  readonly autoPwa: boolean;
  /** Micros in Spacefile order. */
  readonly micros: readonly Micro[];
  readonly primary: Micro;
  /** Every action of every micro, in Spacefile order. */
  readonly actions: readonly ScheduledAction[];
}
