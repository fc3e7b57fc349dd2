/**
 * One entry of `micros`: its own keys checked and defaulted. What depends on the other micros (the primary,
 * paths that collide, unique names) is decided by `app.ts`.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { isWithin } from '../core/tree-links';
import { readActions, type ActionDraft } from './actions';
import { DEFAULT_RUN, DEFAULT_SERVE, STATIC_LIKE_ENGINES, isStaticLike, kindOf, runtimeFor, type RuntimeChoice } from './engines';
import { ENGINES, type Engine, type Micro, type SourceLocation } from './model';
import { readPresets } from './presets';
import type { MapReader, ValueReader } from './reader';
import { didYouMean } from './suggest';

export const MICRO_KEYS = [
  'name',
  'src',
  'engine',
  'primary',
  'path',
  'serve',
  'commands',
  'include',
  'run',
  'dev',
  'presets',
  'public',
  'public_routes',
  'actions',
  'provide_actions',
] as const;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Segments an HTTP API route key accepts; `.` and `..` are refused separately. */
const PATH_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Everything about a micro that does not depend on the others. */
export type MicroBase = Omit<Micro, 'primary' | 'path'>;

export interface MicroDraft {
  readonly reader: ValueReader;
  readonly name?: string;
  readonly nameReader?: ValueReader;
  /** `primary` as written, and where. */
  readonly primary?: { readonly value: boolean; readonly reader: ValueReader };
  /** `path` normalised, and where it is written. */
  readonly path?: { readonly value: string; readonly reader: ValueReader };
  readonly actions: readonly ActionDraft[];
  /** Present only when every key of the micro is valid. */
  readonly base?: MicroBase;
}

export interface MicroReadOptions {
  readonly rootDir: string;
  readonly checkSources: boolean;
  readonly runtimes: RuntimeChoice;
}

export function readMicro(item: ValueReader, options: MicroReadOptions): MicroDraft | undefined {
  const micro = item.map(MICRO_KEYS);
  if (!micro) return undefined;
  const errorsBefore = item.context.problems.errors.length;

  const nameReader = micro.required('name', 'a name like my-micro');
  const name = readName(nameReader);
  const engine = readEngine(micro.required('engine', `one of ${ENGINES.join(', ')}`));
  const source = readSrc(micro.required('src', "the micro's directory, relative to the Spacefile"), options);
  const primaryReader = micro.optional('primary');
  const primaryValue = primaryReader?.boolean();
  const pathReader = micro.optional('path');
  const pathValue = pathReader && readPath(pathReader);
  const serve = readServe(micro, engine);
  const commands = readStrings(micro.optional('commands'), 'command');
  const include = readInclude(micro, engine);
  const run = readRun(micro, engine);
  const dev = micro.optional('dev')?.string();
  const { envPresets, apiKeys } = readPresets(micro.optional('presets'));
  const publicRoutes = readPublicRoutes(micro);
  const provideActions = micro.optional('provide_actions')?.boolean() ?? false;
  const actions = readActions(micro.optional('actions'), name ?? item.keyPath);

  const draft = {
    reader: item,
    ...(name !== undefined && nameReader && { name, nameReader }),
    ...(primaryReader && primaryValue !== undefined && { primary: { value: primaryValue, reader: primaryReader } }),
    ...(pathReader && pathValue !== undefined && { path: { value: pathValue, reader: pathReader } }),
    actions,
  };
  const valid = item.context.problems.errors.length === errorsBefore;
  if (!valid || name === undefined || engine === undefined || source === undefined) return draft;
  const kind = kindOf(engine);
  const base: MicroBase = {
    name,
    src: source.src,
    srcDir: source.srcDir,
    engine,
    kind,
    runtime: runtimeFor(kind, options.runtimes),
    ...(serve !== undefined && { serve }),
    commands: commands?.map((command) => command.value) ?? [],
    commandLocations: commands?.map((command) => command.location) ?? [],
    ...(include !== undefined && { include }),
    ...(run !== undefined && { run }),
    ...(dev !== undefined && { dev }),
    envPresets,
    apiKeys,
    publicRoutes,
    actions: actions.map((draft) => draft.action),
    provideActions,
    location: item.location,
  };
  return { ...draft, base };
}

function readName(reader: ValueReader | undefined): string | undefined {
  const name = reader?.string();
  if (name === undefined || NAME_PATTERN.test(name)) return name;
  reader?.error('is not a valid micro name', {
    expected: 'a letter or digit, then letters, digits, "_" or "-"',
    found: `'${name}'`,
  });
  return undefined;
}

function readEngine(reader: ValueReader | undefined): Engine | undefined {
  const engine = reader?.string();
  if (engine === undefined) return undefined;
  if ((ENGINES as readonly string[]).includes(engine)) return engine as Engine;
  const suggestion = didYouMean(engine, ENGINES);
  reader?.error('is not a known engine', {
    expected: `one of ${ENGINES.join(', ')}`,
    found: `'${engine}'`,
    ...(suggestion && { suggestion }),
  });
  return undefined;
}

/**
 * The micro's absolute directory. A `src` naming a file (seen in the wild) means the directory holding it.
 * Whether it exists is checked only when `checkSources` is set, so a Spacefile can be checked on its own.
 */
function readSrc(reader: ValueReader | undefined, options: MicroReadOptions): { src: string; srcDir: string } | undefined {
  const src = reader?.string();
  if (!reader || src === undefined) return undefined;
  if (src.trim() === '') {
    reader.error('must not be empty', { expected: "a directory such as '.' or './api'" });
    return undefined;
  }
  const absolute = resolve(options.rootDir, src);
  const outside = (): undefined => {
    reader.error("must be a directory inside the app (the Spacefile's directory)", { found: `'${src}', which is ${absolute}` });
    return undefined;
  };
  // Space's builder only ever saw the app: a micro reaching outside it would package (and serve) the machine.
  if (!isWithin(options.rootDir, absolute)) return outside();
  if (!options.checkSources) return { src, srcDir: absolute };
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (!stat) {
    reader.error(`directory '${src}' does not exist`, { found: `nothing at ${absolute}` });
    return undefined;
  }
  if (!isWithin(realpathSync(options.rootDir), realpathSync(absolute))) return outside();
  if (stat.isDirectory()) return { src, srcDir: absolute };
  reader.warn(`'${src}' is a file, not a directory: the micro uses the directory holding it, '${dirname(absolute)}'`);
  return { src, srcDir: dirname(absolute) };
}

/** A path relative to the micro's src, normalised without `./` or a trailing `/`; undefined when it leaves src. */
function insideSrc(raw: string): string | undefined {
  const path = posix.normalize(raw.trim().replace(/\\/g, '/')).replace(/\/+$/, '') || '.';
  return posix.isAbsolute(path) || path === '..' || path.startsWith('../') ? undefined : path;
}

/** `api`, `/api/` and `/api` all mean `/api`. */
function readPath(reader: ValueReader): string | undefined {
  const raw = reader.string();
  if (raw === undefined) return undefined;
  const path = ('/' + raw.trim().replace(/^\/+/, '')).replace(/\/+$/, '') || '/';
  const segments = path.split('/').slice(1);
  if (path === '/' || (PATH_PATTERN.test(path) && !segments.some((segment) => segment === '.' || segment === '..'))) return path;
  reader.error('is not a valid micro path', {
    expected: "segments of letters, digits, '.', '_', '~' or '-', such as /api",
    found: `'${raw}'`,
  });
  return undefined;
}

/** `serve` is a directory inside the micro's `src`, normalised without `./` or a trailing `/`. */
function readServe(micro: MapReader, engine: Engine | undefined): string | undefined {
  const reader = micro.optional('serve');
  if (engine === undefined) return reader?.string();
  if (!isStaticLike(engine)) {
    reader?.error(`is only allowed for engines ${STATIC_LIKE_ENGINES.join(', ')}`, { found: `engine ${engine}` });
    return undefined;
  }
  if (!reader) {
    const fallback = DEFAULT_SERVE[engine];
    if (fallback === undefined) {
      micro.self.context.problems.errors.push({
        location: micro.self.location,
        keyPath: `${micro.self.keyPath}.serve`,
        message: `'serve' is required for engine ${engine}`,
        expected: 'the directory of files to serve, relative to src',
        suggestion: 'Add "serve: ." to serve the micro\'s directory.',
      });
    }
    return fallback;
  }
  const raw = reader.string();
  if (raw === undefined) return undefined;
  const serve = insideSrc(raw);
  if (serve === undefined) reader.error("must be a directory inside the micro's src", { found: `'${raw}'` });
  return serve;
}

function readInclude(micro: MapReader, engine: Engine | undefined): string[] | undefined {
  const reader = micro.optional('include');
  if (reader && engine && isStaticLike(engine)) {
    reader.error(`is not allowed for engine ${engine}`, { suggestion: "Use 'serve' to choose the directory to serve." });
    return undefined;
  }
  const include = readStrings(reader, 'file or directory');
  if (include === undefined) return undefined;
  const paths = include.flatMap((entry) => {
    const path = insideSrc(entry.value);
    if (path === undefined) entry.reader.error("must be inside the micro's src", { found: `'${entry.value}'` });
    return path ?? [];
  });
  // `./dist/`, `dist` and `dist//` are one entry.
  return [...new Set(paths)];
}

function readRun(micro: MapReader, engine: Engine | undefined): string | undefined {
  const reader = micro.optional('run');
  if (engine === undefined) return reader?.string();
  if (isStaticLike(engine)) {
    reader?.warn(`is ignored: a ${engine} micro is a directory of files that Spaceport serves itself`);
    return undefined;
  }
  if (!reader && engine === 'custom') {
    micro.self.context.problems.errors.push({
      location: micro.self.location,
      keyPath: `${micro.self.keyPath}.run`,
      message: "'run' is required for engine custom",
      expected: 'the command that starts the server on $PORT',
    });
    return undefined;
  }
  const run = reader?.string() ?? DEFAULT_RUN[engine];
  if (run !== undefined && run.trim() === '') {
    reader?.error('must not be empty', { expected: 'the command that starts the server on $PORT' });
    return undefined;
  }
  return run;
}

/** A list of strings, each with where it is written; an empty list is treated as absent, with a warning. */
function readStrings(
  reader: ValueReader | undefined,
  what: string,
): Array<{ value: string; location: SourceLocation; reader: ValueReader }> | undefined {
  const entries = reader?.strings();
  if (!reader || !entries) return undefined;
  if (entries.length === 0) {
    reader.warn(`lists no ${what} and is ignored`);
    return undefined;
  }
  const read = entries.map(({ value, reader: item }) => ({ value, location: item.location, reader: item }));
  return read.every((entry): entry is { value: string; location: SourceLocation; reader: ValueReader } => entry.value !== undefined)
    ? read
    : undefined;
}

/**
 * Public routes relative to the micro's path. `public: true` is `/*`; a route written without its leading
 * slash (`*`, `api/*`) gets one, so `*` and `/*` mean the same thing.
 */
function readPublicRoutes(micro: MapReader): string[] {
  const isPublic = micro.optional('public')?.boolean();
  const routesReader = micro.optional('public_routes');
  if (micro.has('public') && micro.has('public_routes')) {
    micro.keyReader('public_routes').error("'public' and 'public_routes' cannot be used together", {
      suggestion: "Keep 'public_routes' (use \"/*\" to make everything public) and remove 'public'.",
    });
    return [];
  }
  if (isPublic) return ['/*'];
  const entries = routesReader?.strings() ?? [];
  const routes = new Map<string, ValueReader>();
  for (const { value, reader } of entries) {
    if (value === undefined) continue;
    if (value.trim() === '') {
      reader.error('must not be empty', { expected: 'a route such as /public/*' });
      continue;
    }
    const route = value.startsWith('/') ? value : `/${value}`;
    const earlier = routes.get(route);
    if (earlier) {
      reader.error(`repeats the public route '${route}' of line ${earlier.location.line}`);
      continue;
    }
    routes.set(route, reader);
  }
  return [...routes.keys()];
}
