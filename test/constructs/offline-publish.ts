/**
 * Publishes a cloud assembly's file assets the way `cdk deploy` does (cdk-assets-lib, the library the CDK CLI
 * bundles), into an in-memory bucket instead of S3: the bytes each upload carries are what Lambda later unpacks.
 * No AWS client is ever created.
 */
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AssetManifest, AssetPublishing, type IAws, type IS3Client } from '@aws-cdk/cdk-assets-lib';
import { AssetManifestArtifact, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

const offline = (what: string) => () => Promise.reject(new Error(`offline publishing needs no ${what}`));

/** Every file asset of `stack`, as uploaded, keyed by its S3 object key (what the template's `S3Key`s name). */
export async function publishFileAssets(stack: CloudFormationStackArtifact): Promise<Map<string, Buffer>> {
  const uploads = new Map<string, Buffer>();
  // An existing, empty, unencrypted bootstrap bucket owned by the deploying account.
  const bucket: IS3Client = {
    getBucketLocation: async () => ({ $metadata: {} }),
    getBucketEncryption: async () => ({ $metadata: {} }),
    listObjectsV2: async () => ({ $metadata: {} }),
    upload: async ({ Key, Body }) => {
      uploads.set(Key as string, await buffer(Body as Readable));
      return { $metadata: {} };
    },
  };
  const account = { accountId: '123456789012', partition: 'aws' };
  const aws: IAws = {
    discoverPartition: async () => account.partition,
    discoverDefaultRegion: async () => 'eu-west-1',
    discoverCurrentAccount: async () => account,
    discoverTargetAccount: async () => account,
    s3Client: async () => bucket,
    ecrClient: offline('ECR client: the app has no container images'),
    secretsManagerClient: offline('Secrets Manager client'),
  };
  for (const artifact of stack.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact)) {
    await new AssetPublishing(AssetManifest.fromFile(artifact.file), { aws, throwOnError: true }).publish();
  }
  return uploads;
}
