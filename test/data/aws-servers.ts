/**
 * Local servers that speak DynamoDB's and S3's real protocols (dynalite, s3rver), started by the tests themselves,
 * with the table and bucket the constructs create, and the AWS SDK clients the Lambda handler uses pointed at them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import { BASE_TABLE_SCHEMA } from '../../lib/handlers/dynamodb-base-store';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';

export interface AwsServers {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly tableName: string;
  readonly bucketName: string;
  /** Requests each server received, by operation (`GetItem`, `UploadPart`, ...). */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

export async function startAwsServers(): Promise<AwsServers> {
  const requests = new Map<string, number>();
  const count = (operation: string) => requests.set(operation, (requests.get(operation) ?? 0) + 1);

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const dynamodbEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  const directory = mkdtempSync(join(tmpdir(), 'spaceport-s3-'));
  const bucketName = 'spaceport-drive';
  const s3rver = spawn(process.execPath, ['--openssl-legacy-provider', join(__dirname, 's3rver-process.mjs'), directory, bucketName], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    s3rver.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    s3rver.stdout.once('data', (data: Buffer) => resolve((JSON.parse(data.toString()) as { port: number }).port));
  });
  const s3Endpoint = `http://127.0.0.1:${port}`;

  const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region, credentials });
  const s3 = new S3Client({ endpoint: s3Endpoint, region, credentials, forcePathStyle: true });
  for (const client of [dynamodb, s3] as const) {
    // Once per command, whatever the retries: what an SDK call costs in requests billed.
    (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
      (next, context) => (args) => {
        count(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }

  const tableName = 'spaceport-base';
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: BASE_TABLE_SCHEMA.partitionKey, AttributeType: 'S' },
        { AttributeName: BASE_TABLE_SCHEMA.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: BASE_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: BASE_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
  requests.clear();

  return {
    dynamodbEndpoint,
    s3Endpoint,
    dynamodb,
    s3,
    tableName,
    bucketName,
    requests,
    async close() {
      dynamodb.destroy();
      s3.destroy();
      await new Promise((resolve) => {
        s3rver.once('exit', resolve);
        s3rver.kill();
      });
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
