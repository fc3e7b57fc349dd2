/**
 * The top level of a Spacefile and the rules that span micros: the primary, paths that collide, unique names
 * and action ids, and the app-wide limits.
 */
import { basename } from 'node:path';
import { MAX_ACTIONS_PER_APP } from './actions';
import { readMicro, type MicroDraft, type MicroReadOptions } from './micro';
import type { Micro, SpaceAppModel } from './model';
import type { MapReader, ValueReader } from './reader';
import { isUnder, RESERVED_PREFIX } from '../core/paths';

export const TOP_LEVEL_KEYS = ['v', 'app_name', 'icon', 'auto_pwa', 'micros'] as const;
export const MAX_MICROS = 5;
const MAX_APP_NAME_LENGTH = 12;

export interface AppReadOptions extends MicroReadOptions {
  /** Absolute path of the Spacefile. */
  readonly spacefile: string;
}

/** The app, or undefined when a problem was recorded (every problem is recorded, not just the first). */
export function readApp(document: ValueReader, options: AppReadOptions): SpaceAppModel | undefined {
  const top = document.map(TOP_LEVEL_KEYS);
  if (!top) return undefined;
  readVersion(top);
  const appName = readAppName(top);
  const icon = top.optional('icon')?.string();
  const autoPwa = top.optional('auto_pwa')?.boolean() ?? true;
  const microsReader = top.required('micros', 'a list of 1 to 5 micros');
  const drafts = readMicros(microsReader, options);
  if (!microsReader) return undefined;

  checkUniqueNames(drafts);
  const primary = choosePrimary(drafts, microsReader);
  const micros = drafts.flatMap((draft) => {
    if (!draft.base) return [];
    // A non-primary micro's path: as written, or `/<name>`.
    const path = draft === primary ? '/' : (draft.path?.value ?? `/${draft.base.name}`);
    return [{ ...draft.base, primary: draft === primary, path }];
  });
  checkPaths(micros, drafts);
  checkActions(drafts);

  const errors = document.context.problems.errors;
  const primaryMicro = micros.find((micro) => micro.primary);
  // Stryker disable next-line ConditionalExpression: equivalent, load() refuses a Spacefile with any recorded error, which each of these implies
  if (errors.length > 0 || !primaryMicro || micros.length !== drafts.length) return undefined;
  return {
    spacefile: options.spacefile,
    rootDir: options.rootDir,
    name: appName ?? basename(options.rootDir),
    ...(icon !== undefined && { icon }),
    autoPwa,
    micros,
    primary: primaryMicro,
    actions: micros.flatMap((micro) => micro.actions),
  };
}

/**
 * Only v 0 exists. Deta nonetheless ran a Spacefile saying `v: 1`, so one is read as v 0 with a warning
 * rather than refused: a user moving such an app off Deta wants it to run.
 */
function readVersion(top: MapReader): void {
  const reader = top.required('v', '0');
  const version = reader?.integer();
  if (!reader || version === undefined || version === 0) return;
  if (version === 1) {
    reader.warn('is read as v 0: Spacefile v 1 was never specified, and Deta ran this file as v 0', { found: '1' });
    return;
  }
  reader.error('is not a supported Spacefile version', { expected: '0', found: String(version) });
}

function readAppName(top: MapReader): string | undefined {
  const reader = top.optional('app_name');
  const name = reader?.string();
  if (name === undefined || name.length <= MAX_APP_NAME_LENGTH) return name;
  reader?.error('is too long', { expected: `at most ${MAX_APP_NAME_LENGTH} characters`, found: `${name.length} characters` });
  return undefined;
}

function readMicros(reader: ValueReader | undefined, options: AppReadOptions): MicroDraft[] {
  const items = reader?.list();
  if (!reader || !items) return [];
  if (items.length === 0) reader.error('must list at least one micro', { expected: 'a list of 1 to 5 micros' });
  items.slice(MAX_MICROS).forEach((item) => {
    item.error(`an app may have at most ${MAX_MICROS} micros`, { found: `${items.length} micros` });
  });
  return items.flatMap((item) => readMicro(item, options) ?? []);
}

function checkUniqueNames(drafts: readonly MicroDraft[]): void {
  const seen = new Map<string, MicroDraft>();
  for (const draft of drafts) {
    if (draft.name === undefined) continue;
    const earlier = seen.get(draft.name);
    if (earlier)
      draft.nameReader?.error(`micro name '${draft.name}' is already used by ${earlier.reader.keyPath} (line ${earlier.reader.location.line})`);
    else seen.set(draft.name, draft);
  }
}

/**
 * The micro that serves `/`. A single micro is the primary whatever it says (Deta ran single-micro apps with
 * `primary: false`); with more, exactly one must say `primary: true`.
 */
function choosePrimary(drafts: readonly MicroDraft[], microsReader: ValueReader): MicroDraft | undefined {
  if (drafts.length === 1) {
    const only = drafts[0]!;
    if (only.primary?.value === false) only.primary.reader.warn('is ignored: the only micro of an app is always its primary');
    return only;
  }
  const primaries = drafts.filter((draft) => draft.primary?.value === true);
  // Stryker disable next-line EqualityOperator: equivalent, one draft returned above
  if (primaries.length === 0 && drafts.length > 1) {
    microsReader.error('no micro is marked as the primary', {
      expected: "exactly one micro with 'primary: true' when there are several",
      suggestion: "Add 'primary: true' to the micro that should serve '/'.",
    });
  }
  for (const extra of primaries.slice(1)) {
    extra.primary?.reader.error(`only one micro may be the primary; ${primaries[0]!.reader.keyPath} already is`);
  }
  return primaries[0];
}

/** Each path must reach exactly one micro, and never the runtime's own `/__space` paths. */
function checkPaths(micros: readonly Micro[], drafts: readonly MicroDraft[]): void {
  const draftOf = (micro: Micro) => drafts.find((draft) => draft.base?.name === micro.name)!;
  for (const micro of micros) {
    const draft = draftOf(micro);
    if (micro.primary) {
      draft.path?.reader.warn("is ignored: the primary micro always serves '/'");
      continue;
    }
    const where = draft.path?.reader ?? draft.reader;
    const written = draft.path ? '' : ` (the default for micro '${micro.name}')`;
    if (micro.path === '/') {
      where.error("'/' belongs to the primary micro", { suggestion: `Use a path like '/${micro.name}'.` });
    } else if (isUnder(micro.path, RESERVED_PREFIX)) {
      where.error(`path '${micro.path}'${written} is reserved for the Space runtime (${RESERVED_PREFIX})`);
    } else {
      // The first micro on a path keeps it (the primary's is '/', refused above).
      const other = micros.slice(0, micros.indexOf(micro)).find((candidate) => candidate.path === micro.path);
      if (other) {
        where.error(`path '${micro.path}'${written} is already used by micro '${other.name}'`);
      }
    }
  }
}

/** Action ids and names are unique across the app, and an app has at most 25 actions. */
function checkActions(drafts: readonly MicroDraft[]): void {
  const actions = drafts.flatMap((draft) => draft.actions);
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  for (const { action, idReader, nameReader } of actions) {
    const idLine = ids.get(action.id);
    if (idLine !== undefined) idReader.error(`action id '${action.id}' is already used at line ${idLine}`);
    else ids.set(action.id, idReader.location.line);
    const nameLine = names.get(action.name);
    if (nameLine !== undefined) nameReader.error(`action name '${action.name}' is already used at line ${nameLine}`);
    else names.set(action.name, nameReader.location.line);
  }
  if (actions.length > MAX_ACTIONS_PER_APP) {
    actions[MAX_ACTIONS_PER_APP]!.idReader.error(`an app may declare at most ${MAX_ACTIONS_PER_APP} actions`, {
      found: `${actions.length} actions`,
    });
  }
}
