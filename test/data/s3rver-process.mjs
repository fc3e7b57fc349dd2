/**
 * s3rver in its own process, started by test/data/aws-servers.ts: `node --openssl-legacy-provider` because s3rver
 * encrypts ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 only has in its legacy provider.
 *
 * s3rver (the only maintained npm S3 server that runs on Node 20; fauxqs needs 22.5) differs from S3 where the
 * Drive backend relies on S3, and this script makes it behave as S3's API reference describes:
 * - multipart uploads: it leaves out ListParts (completion learns the ETags of parts that API Gateway uploaded),
 *   AbortMultipartUpload, and NoSuchUpload (404) for an upload id that is unknown, finished, aborted, or was started
 *   for another key; the middleware below adds them over s3rver's own upload directory;
 * - listing: S3 lists keys in UTF-8 byte order ('list-a' before 'list/a'); s3rver walks its directories instead, so
 *   its store's listing is re-ordered (and StartAfter and MaxKeys applied) in byte order.
 * Every other request goes to s3rver unchanged.
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

const walkOrderListing = s3rver.store.listObjects.bind(s3rver.store);
s3rver.store.listObjects = async (bucketName, options) => {
  const { startAfter = '', maxKeys = Infinity, ...rest } = options;
  const all = await walkOrderListing(bucketName, { ...rest, maxKeys: Infinity });
  const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const objects = all.objects.filter((object) => byteOrder(object.key, startAfter) > 0).sort((a, b) => byteOrder(a.key, b.key));
  return { ...all, objects: objects.slice(0, maxKeys), isTruncated: objects.length > maxKeys };
};

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
