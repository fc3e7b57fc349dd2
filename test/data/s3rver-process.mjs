/**
 * s3rver in its own process, started by test/data/aws-servers.ts: `node --openssl-legacy-provider` because s3rver
 * encrypts ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 only has in its legacy provider.
 *
 * s3rver (the only maintained npm S3 server that runs on Node 20; fauxqs needs 22.5) stores multipart uploads but
 * leaves out three things S3 does with them, all of which the Drive backend relies on: ListParts (completion learns
 * the ETags of parts that API Gateway uploaded), AbortMultipartUpload, and NoSuchUpload (404) for an upload id that
 * is unknown, finished, aborted, or was started for another key. The middleware below adds them over s3rver's own
 * upload directory, as S3's API reference describes them; every other request goes to s3rver unchanged.
 *
 * Usage: node --openssl-legacy-provider s3rver-process.mjs <directory> <bucket>; prints `{"port":N}` when ready.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

const [directory, bucket] = process.argv.slice(2);
const s3rver = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: !process.env.S3RVER_LOG,
  directory,
  configureBuckets: [{ name: bucket }],
  // s3rver signs bucket paths without the trailing slash the SDK sends (`/bucket/?list-type=2`): not under test.
  allowMismatchedSignatures: true,
});

async function multipartOperations(ctx, next) {
  const uploadId = ctx.query.uploadId;
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (uploadId === undefined || !match) return next();
  const [bucketName, key] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
  const uploadDirectory = join(s3rver.store.getResourcePath(bucketName, undefined, 'uploads'), uploadId);
  const keyFile = join(uploadDirectory, 'key');
  if (!/^[0-9a-f]+$/.test(uploadId) || !existsSync(keyFile) || readFileSync(keyFile, 'utf8') !== key) {
    ctx.status = 404;
    ctx.body = { Error: { Code: 'NoSuchUpload', Message: 'The specified upload does not exist.', UploadId: uploadId } };
    return;
  }
  if (ctx.method === 'GET') {
    const parts = readdirSync(uploadDirectory)
      .filter((file) => /^\d+$/.test(file))
      .map(Number)
      .sort((a, b) => a - b)
      .map((number) => ({
        PartNumber: number,
        ETag: JSON.stringify(readFileSync(join(uploadDirectory, `${number}.md5`), 'utf8')),
        Size: statSync(join(uploadDirectory, String(number))).size,
      }));
    ctx.body = { ListPartsResult: { Bucket: bucketName, Key: key, UploadId: uploadId, IsTruncated: false, Part: parts } };
    return;
  }
  if (ctx.method === 'DELETE') {
    rmSync(uploadDirectory, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  return next();
}
// After s3rver's logger, XML encoder, mount and vhost steps, before its router.
s3rver.middleware.splice(s3rver.middleware.length - 1, 0, multipartOperations);

const { port } = await s3rver.run();
process.stdout.write(JSON.stringify({ port }) + '\n');
