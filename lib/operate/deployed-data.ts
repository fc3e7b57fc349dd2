/**
 * The deployed app's Deta Base and Drive as an import or export target: its DynamoDB table and S3 bucket, named by
 * the stack's manifest, through the same stores the data function uses, with the owner's AWS credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { dataCatalog, type DataTarget } from '../data/transfer';
import { DynamoDbBaseStore } from '../handlers/dynamodb-base-store';
import { S3DriveStore } from '../handlers/s3-drive-store';
import { DeployedAppError } from './aws-errors';
import type { DeployedApp } from './deployed-app';

export interface DeployedDataTarget extends DataTarget {
  /** Where the data is, for messages. */
  readonly where: string;
  close(): void;
}

export function deployedDataTarget(app: DeployedApp): DeployedDataTarget {
  if (!app.data) throw new DeployedAppError(`stack '${app.stackName}' has no Base and Drive (deployed with data: false)`);
  const config = app.region ? { region: app.region } : {};
  const dynamodb = new DynamoDBClient(config);
  const s3 = new S3Client(config);
  const base = new DynamoDbBaseStore({ client: dynamodb, tableName: app.data.table });
  const drive = new S3DriveStore({ client: s3, bucketName: app.data.bucket });
  return {
    projectId: app.data.projectId,
    base,
    drive,
    catalog: dataCatalog(base, drive),
    where: `the table ${app.data.table} and the bucket ${app.data.bucket} of stack '${app.stackName}'`,
    close: () => {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}
