/**
 * API keys in the cloud: a DynamoDB table keyed by the key's SHA-256 hash (`hash`), written by
 * `spaceport keys` and read by the Lambda authorizer with one consistent GetItem per keyed request, so a
 * deleted key stops working at once. Names are unique per table; a key's name is found by a scan, which is
 * fine for the handful of keys an app has and only happens in the CLI.
 */
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ApiKeyRecord, type ApiKeyStore, hashApiKey, newApiKey } from '../auth/api-keys';

type Item = Record<string, AttributeValue>;

function toItem(record: ApiKeyRecord): Item {
  const item: Item = { hash: { S: record.hash }, name: { S: record.name }, createdAt: { S: record.createdAt } };
  if (record.micro !== undefined) item.micro = { S: record.micro };
  return item;
}

function fromItem(item: Item): ApiKeyRecord {
  const micro = item.micro?.S;
  return { name: item.name?.S ?? '', ...(micro === undefined ? {} : { micro }), hash: item.hash?.S ?? '', createdAt: item.createdAt?.S ?? '' };
}

export class DynamoDbApiKeyStore implements ApiKeyStore {
  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBClient,
  ) {}

  async create(name: string, micro: string | undefined, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    if ((await this.itemsNamed(name)).length > 0) throw new Error(`a key named '${name}' already exists in ${this.tableName}`);
    const created = newApiKey(name, micro, now);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem(created.record),
        ConditionExpression: 'attribute_not_exists(#h)',
        ExpressionAttributeNames: { '#h': 'hash' },
      }),
    );
    return created;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.scan()).map(fromItem);
  }

  async delete(name: string): Promise<boolean> {
    const items = await this.itemsNamed(name);
    for (const item of items) {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { hash: item.hash! } }));
    }
    return items.length > 0;
  }

  async find(key: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { hash: { S: hashApiKey(key) } }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  private async itemsNamed(name: string): Promise<Item[]> {
    return this.scan({ FilterExpression: '#n = :n', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': { S: name } } });
  }

  private async scan(filter: Partial<ConstructorParameters<typeof ScanCommand>[0]> = {}): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start, ...filter }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
