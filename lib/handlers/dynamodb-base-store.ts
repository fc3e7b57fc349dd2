/**
 * Deta Base on DynamoDB: one table for every base of the app. Partition key `pk` = `<projectId>/<base>`, sort key
 * `sk` = the item key, so a base is one partition read in key order by Query; the item itself is kept as its JSON
 * text (`item`), which round-trips every JSON value exactly (DynamoDB maps refuse empty names and reshape numbers),
 * `expires` copies `__expires` and is the table's TTL attribute, `version` is the compare-and-set token of updates.
 * DynamoDB's 400 KB counts the whole stored item, names and keys included, while Deta allows 400 KB of JSON alone:
 * an item whose JSON is over `TEXT_ITEM_BYTES` is kept deflated instead (`itemDeflated`), which every JSON but
 * near-incompressible text fits (that is refused as too large, `storedJson`).
 *
 * Request counts (what an SDK call costs, docs/benchmarks.md): get = 1 GetItem, put/putMany = 1 BatchWriteItem,
 * insert = 1 conditional PutItem, update = 1 GetItem + 1 conditional PutItem, delete = 1 DeleteItem, one page of
 * fetch = 1 Query (more only when DynamoDB cuts a page at 1 MB).
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type BaseRecord,
  type BaseRef,
  type BaseStore,
  type BaseWrite,
  compareKeys,
  inKeyRange,
  type Item,
  type ScanPage,
  type ScanRequest,
} from '../data/base-store';
import { badRequest } from '../data/errors';

/** The table's key schema and TTL attribute: the construct creates the table with exactly these. */
export const BASE_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expires',
} as const;

type DynamoItem = Record<string, AttributeValue>;

/** BatchWriteItem may leave items unprocessed under throttling: retry those this many times, backing off. */
const BATCH_RETRIES = 5;
const BATCH_BACKOFF_MS = 50;

export interface DynamoDbBaseStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbBaseStore implements BaseStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbBaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(ref: BaseRef, key: string): Promise<BaseRecord | undefined> {
    const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: primaryKey(ref, key), ConsistentRead: true }));
    return result.Item ? fromDynamo(result.Item) : undefined;
  }

  async putMany(ref: BaseRef, records: readonly BaseWrite[]): Promise<{ readonly failed: readonly string[] }> {
    let pending = records.map((record) => ({ PutRequest: { Item: toDynamo(ref, record) } }));
    for (let attempt = 0; attempt <= BATCH_RETRIES && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(BATCH_BACKOFF_MS * 2 ** (attempt - 1));
      const result = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }));
      const unprocessed = result.UnprocessedItems?.[this.tableName] ?? [];
      pending = unprocessed.flatMap((request) => (request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : []));
    }
    return { failed: pending.map((request) => request.PutRequest.Item[BASE_TABLE_SCHEMA.sortKey]?.S ?? '') };
  }

  async insert(ref: BaseRef, record: BaseWrite, now: number): Promise<boolean> {
    return this.conditionalPut(ref, record, 'attribute_not_exists(#sk) OR #expires <= :now', {
      names: { '#sk': BASE_TABLE_SCHEMA.sortKey, '#expires': BASE_TABLE_SCHEMA.timeToLiveAttribute },
      values: { ':now': { N: String(now) } },
    });
  }

  async replaceIfVersion(ref: BaseRef, record: BaseWrite, version: string): Promise<boolean> {
    return this.conditionalPut(ref, record, '#version = :version', {
      names: { '#version': 'version' },
      values: { ':version': { S: version } },
    });
  }

  async delete(ref: BaseRef, key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: primaryKey(ref, key) }));
  }

  /**
   * The names of the project's bases that hold items (what an export enumerates). A table Scan reading only the
   * partition keys: it reads (and DynamoDB bills) the whole table, every item at its full size, so it serves exports,
   * imports and the owner's console data page, never an SDK request.
   */
  async baseNames(projectId: string): Promise<string[]> {
    const prefix = `${projectId}/`;
    const names = new Set<string>();
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: '#pk',
          FilterExpression: 'begins_with(#pk, :prefix)',
          ExpressionAttributeNames: { '#pk': BASE_TABLE_SCHEMA.partitionKey },
          ExpressionAttributeValues: { ':prefix': { S: prefix } },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) names.add(item[BASE_TABLE_SCHEMA.partitionKey]!.S!.slice(prefix.length));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return [...names].sort();
  }

  async scan(ref: BaseRef, request: ScanRequest): Promise<ScanPage> {
    const bounds = scanBounds(request);
    if (bounds.empty) return { records: [], done: true };
    const input = queryInput(this.tableName, ref, request, bounds);
    const records: BaseRecord[] = [];
    // Usually one Query. More only when a page came back empty: DynamoDB cut it at 1 MB, or it held nothing but an
    // exclusive bound's own key; returning an empty page with `done: false` would make the caller ask again forever.
    for (;;) {
      const result = await this.client.send(new QueryCommand(input));
      for (const item of result.Items ?? []) {
        const record = fromDynamo(item);
        const key = record.item.key;
        if (bounds.beyond(key)) return { records, done: true };
        if (bounds.contains(key)) records.push(record);
        if (records.length === request.limit) return { records, done: false };
      }
      if (!result.LastEvaluatedKey) return { records, done: true };
      if (records.length > 0) return { records, done: false };
      input.ExclusiveStartKey = result.LastEvaluatedKey;
    }
  }

  private async conditionalPut(
    ref: BaseRef,
    record: BaseWrite,
    condition: string,
    expression: { names: Record<string, string>; values: Record<string, AttributeValue> },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toDynamo(ref, record),
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function partitionKey(ref: BaseRef): string {
  return `${ref.projectId}/${ref.base}`;
}

function primaryKey(ref: BaseRef, key: string): DynamoItem {
  return { [BASE_TABLE_SCHEMA.partitionKey]: { S: partitionKey(ref) }, [BASE_TABLE_SCHEMA.sortKey]: { S: key } };
}

/** Items whose JSON is larger are stored deflated: room for the key (up to 1 KB), its partition and the names. */
const TEXT_ITEM_BYTES = 300 * 1024;
/** DynamoDB's item size limit (400 KB, counted over names and values). */
const DYNAMODB_ITEM_BYTES = 400 * 1024;
/** The rest of a stored item at most: the sort key (1 KB), the partition key, the version and the attribute names. */
const STORED_ITEM_OVERHEAD_BYTES = 2 * 1024;

function storedJson(item: Item, key: string): DynamoItem {
  const json = JSON.stringify(item);
  if (Buffer.byteLength(json) <= TEXT_ITEM_BYTES) return { item: { S: json } };
  const deflated = deflateRawSync(json);
  // Only JSON made of incompressible text near 400 KB gets here; refused as the size error it is, never a 500.
  if (deflated.length + STORED_ITEM_OVERHEAD_BYTES > DYNAMODB_ITEM_BYTES) {
    throw badRequest('Item too large', `item '${key}' does not fit DynamoDB's 400 KB item even deflated (${deflated.length} bytes)`);
  }
  return { itemDeflated: { B: deflated } };
}

function toDynamo(ref: BaseRef, record: BaseWrite): DynamoItem {
  const item: DynamoItem = {
    ...primaryKey(ref, record.item.key),
    ...storedJson(record.item, record.item.key),
    version: { S: randomUUID() },
  };
  if (record.expires !== undefined) item[BASE_TABLE_SCHEMA.timeToLiveAttribute] = { N: String(record.expires) };
  return item;
}

function fromDynamo(item: DynamoItem): BaseRecord {
  const expires = item[BASE_TABLE_SCHEMA.timeToLiveAttribute]?.N;
  return {
    item: JSON.parse(item.itemDeflated?.B ? inflateRawSync(item.itemDeflated.B).toString('utf8') : (item.item?.S ?? '{}')) as Item,
    version: item.version?.S ?? '',
    ...(expires === undefined ? {} : { expires: Number(expires) }),
  };
}

interface Bound {
  readonly key: string;
  readonly exclusive: boolean;
}

interface ScanBounds {
  readonly lower?: Bound;
  readonly upper?: Bound;
  /** No key can lie between the bounds (DynamoDB refuses a `BETWEEN` whose bounds are reversed). */
  readonly empty: boolean;
  /** Whether a key read in scan order lies in the requested range (and after `after`). */
  contains(key: string): boolean;
  /** Whether a key read in scan order lies past the range's far end: nothing after it can match. */
  beyond(key: string): boolean;
}

/**
 * The range, the prefix and the resume key folded into at most one lower and one upper bound for DynamoDB's key
 * condition; `contains` still checks every rule, because a condition can only say `BETWEEN` (inclusive) or
 * `begins_with`, not both.
 */
function scanBounds(request: ScanRequest): ScanBounds {
  const { range, descending = false, after } = request;
  const lowers: Bound[] = [];
  const uppers: Bound[] = [];
  // Keys are never empty, so an empty lower bound admits everything (and DynamoDB refuses empty key values).
  if (range.prefix !== undefined && range.prefix !== '') lowers.push({ key: range.prefix, exclusive: false });
  if (range.from !== undefined) lowers.push({ key: range.from, exclusive: range.fromExclusive ?? false });
  if (range.to !== undefined) uppers.push({ key: range.to, exclusive: range.toExclusive ?? false });
  if (after !== undefined) (descending ? uppers : lowers).push({ key: after, exclusive: true });
  const lower = tightest(
    lowers.filter((bound) => bound.key !== ''),
    1,
  );
  const upper = tightest(uppers, -1);
  const empty =
    upper?.key === '' ||
    (lower !== undefined &&
      upper !== undefined &&
      (compareKeys(lower.key, upper.key) > 0 || (compareKeys(lower.key, upper.key) === 0 && (lower.exclusive || upper.exclusive))));
  const contains = (key: string) =>
    inKeyRange(key, range) && (after === undefined || (descending ? compareKeys(key, after) < 0 : compareKeys(key, after) > 0));
  const beyond = (key: string) => {
    if (descending) return lower !== undefined && compareKeys(key, lower.key) < 0;
    if (upper !== undefined && compareKeys(key, upper.key) > 0) return true;
    // Keys sharing a prefix are contiguous: the first larger key without it ends the range.
    return range.prefix !== undefined && compareKeys(key, range.prefix) > 0 && !key.startsWith(range.prefix);
  };
  return { lower, upper, empty, contains, beyond };
}

/** The bound that admits least: the largest lower bound (sign 1) or the smallest upper bound (sign -1). */
function tightest(bounds: readonly Bound[], sign: 1 | -1): Bound | undefined {
  let best: Bound | undefined;
  for (const bound of bounds) {
    const c = best === undefined ? sign : compareKeys(bound.key, best.key) * sign;
    if (c > 0 || (c === 0 && bound.exclusive)) best = bound;
  }
  return best;
}

function queryInput(tableName: string, ref: BaseRef, request: ScanRequest, bounds: ScanBounds): QueryCommandInput {
  const names: Record<string, string> = { '#pk': BASE_TABLE_SCHEMA.partitionKey };
  const values: Record<string, AttributeValue> = { ':pk': { S: partitionKey(ref) } };
  let condition = '#pk = :pk';
  const { lower, upper } = bounds;
  const prefix = request.range.prefix;
  // The prefix alone (no tighter bound on either side) is exactly `begins_with`.
  const prefixOnly = prefix !== undefined && prefix !== '' && upper === undefined && lower?.key === prefix && !lower.exclusive;
  if (prefixOnly) {
    names['#sk'] = BASE_TABLE_SCHEMA.sortKey;
    values[':prefix'] = { S: prefix };
    condition += ' AND begins_with(#sk, :prefix)';
  } else if (lower && upper) {
    names['#sk'] = BASE_TABLE_SCHEMA.sortKey;
    values[':lower'] = { S: lower.key };
    values[':upper'] = { S: upper.key };
    condition += ' AND #sk BETWEEN :lower AND :upper';
  } else if (lower) {
    names['#sk'] = BASE_TABLE_SCHEMA.sortKey;
    values[':lower'] = { S: lower.key };
    condition += ` AND #sk ${lower.exclusive ? '>' : '>='} :lower`;
  } else if (upper) {
    names['#sk'] = BASE_TABLE_SCHEMA.sortKey;
    values[':upper'] = { S: upper.key };
    condition += ` AND #sk ${upper.exclusive ? '<' : '<='} :upper`;
  }
  // BETWEEN is inclusive: an exclusive bound's own key may come back and be skipped, so ask for one more per side.
  const slack = lower && upper ? Number(lower.exclusive) + Number(upper.exclusive) : 0;
  return {
    TableName: tableName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: !(request.descending ?? false),
    Limit: request.limit + slack,
    ConsistentRead: true,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
