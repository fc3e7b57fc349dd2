/**
 * Typed reads of a parsed YAML document that record a problem, at the exact line and column, for every value
 * of the wrong type or unknown key, and carry on, so one pass over a Spacefile reports everything wrong with it.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceLocation } from './model';
import type { SpacefileProblem } from './problems';
import { didYouMean } from './suggest';

type ProblemDetails = Pick<SpacefileProblem, 'expected' | 'found' | 'suggestion'>;

/** Errors and warnings found so far, in document order of discovery. */
export class Problems {
  readonly errors: SpacefileProblem[] = [];
  readonly warnings: SpacefileProblem[] = [];
}

/** What every reader of one document shares. */
export class ReadContext {
  constructor(
    readonly file: string,
    readonly document: Document,
    readonly lineCounter: LineCounter,
    readonly problems: Problems,
  ) {}

  locate(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }
}

/** How a value appears to a user, for `found ...` in messages. */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    if (typeof node.value === 'string') return `'${node.value}'`;
    return `${typeof node.value} ${node.source ?? String(node.value)}`;
  }
  return 'an unsupported YAML value';
}

/** One value of the document, with the key path and position problems about it are reported at. */
export class ValueReader {
  readonly node: Node | null;

  constructor(
    readonly context: ReadContext,
    node: Node | null,
    readonly keyPath: string,
    /** Where to point when the value is empty (`key:` with nothing after it): at its key. */
    private readonly fallback: SourceLocation,
  ) {
    this.node = node !== null && isAlias(node) ? ((node.resolve(context.document) as Node | undefined) ?? null) : node;
  }

  get location(): SourceLocation {
    const offset = this.node?.range?.[0];
    if (offset === undefined || this.isEmpty()) return this.fallback;
    return this.context.locate(offset);
  }

  isEmpty(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  error(message: string, details: ProblemDetails = {}): void {
    this.context.problems.errors.push(this.problem(message, details));
  }

  warn(message: string, details: ProblemDetails = {}): void {
    this.context.problems.warnings.push(this.problem(message, details));
  }

  private problem(message: string, details: ProblemDetails): SpacefileProblem {
    return { location: this.location, keyPath: this.keyPath, message, ...details };
  }

  private wrongType(expected: string): undefined {
    this.error(`must be ${expected}`, { expected, found: describe(this.node) });
    return undefined;
  }

  /**
   * A text value. Numbers and booleans are taken as written (`default: 0100` is `"0100"`), as Deta's
   * YAML decoder did for string fields.
   */
  string(): string | undefined {
    const node = this.node;
    if (!isScalar(node) || node.value === null) return this.wrongType('a string');
    if (typeof node.value === 'string') return node.value;
    return node.source ?? String(node.value);
  }

  boolean(): boolean | undefined {
    const node = this.node;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    return this.wrongType('true or false');
  }

  integer(): number | undefined {
    const node = this.node;
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
    return this.wrongType('an integer');
  }

  /** The items of a list, each with its own key path (`micros[2]`). */
  list(): ValueReader[] | undefined {
    const node = this.node;
    if (!isSeq(node)) return this.wrongType('a list');
    return node.items.map((item, index) => {
      const itemNode = (item ?? null) as Node | null;
      return new ValueReader(this.context, itemNode, `${this.keyPath}[${index}]`, this.location);
    });
  }

  /** A list of strings; undefined entries mark items of the wrong type (already reported). */
  strings(): Array<{ value: string | undefined; reader: ValueReader }> | undefined {
    return this.list()?.map((reader) => ({ value: reader.string(), reader }));
  }

  /** A mapping whose keys must be among `knownKeys`; every other key is reported with the nearest known key. */
  map(knownKeys: readonly string[]): MapReader | undefined {
    if (!isMap(this.node)) return this.wrongType('a mapping');
    return new MapReader(this, knownKeys);
  }
}

/** A mapping of the document: its keys are checked against the known ones once, when it is first read. */
export class MapReader {
  private readonly entries = new Map<string, { key: ValueReader; value: ValueReader }>();

  constructor(
    readonly self: ValueReader,
    knownKeys: readonly string[],
  ) {
    const node = self.node;
    if (!isMap(node)) throw new TypeError('MapReader needs a YAML mapping');
    const prefix = self.keyPath ? `${self.keyPath}.` : '';
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = isScalar(keyNode) ? String(keyNode.value) : describe(keyNode);
      const keyLocation = keyNode?.range ? self.context.locate(keyNode.range[0]) : self.location;
      const key = new ValueReader(self.context, keyNode, `${prefix}${name}`, keyLocation);
      if (!knownKeys.includes(name)) {
        key.error(`unknown key '${name}'`, unknownKeyDetails(name, knownKeys));
        continue;
      }
      const value = new ValueReader(self.context, (pair.value ?? null) as Node | null, key.keyPath, keyLocation);
      this.entries.set(name, { key, value });
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Where `key` is written, or the mapping itself when it is absent. */
  keyReader(key: string): ValueReader {
    return this.entries.get(key)?.key ?? this.self;
  }

  /**
   * The value of an optional key; undefined when absent. A key with no value (`commands:` whose items are all
   * commented out) is treated as absent, with a warning, as Deta's decoder did.
   */
  optional(key: string): ValueReader | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.value.isEmpty()) {
      entry.key.warn(`'${key}' has no value and is ignored`);
      return undefined;
    }
    return entry.value;
  }

  /** The value of a required key; reports it missing (at the mapping) or empty (at the key). */
  required(key: string, expected: string): ValueReader | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.self.context.problems.errors.push({
        location: this.self.location,
        keyPath: this.self.keyPath ? `${this.self.keyPath}.${key}` : key,
        message: `'${key}' is required`,
        expected,
      });
      return undefined;
    }
    if (entry.value.isEmpty()) {
      entry.key.error(`'${key}' is required but has no value`, { expected });
      return undefined;
    }
    return entry.value;
  }
}

function unknownKeyDetails(name: string, knownKeys: readonly string[]): ProblemDetails {
  const suggestion = didYouMean(name, knownKeys);
  return suggestion ? { suggestion } : { expected: `one of ${knownKeys.join(', ')}` };
}
