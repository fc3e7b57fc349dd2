/**
 * Deta Drive on S3: one bucket for every drive of the app, object key `<projectId>/<drive>/<name>`, and S3's own
 * multipart uploads as Deta's chunked uploads (the S3 upload id is the Deta upload id). In the cloud the part
 * bytes never reach this code: API Gateway puts them into the same S3 upload (docs/data.md); this store starts,
 * completes and aborts uploads, lists, reads and deletes.
 *
 * Request counts: initiate = 1 CreateMultipartUpload, part = 1 UploadPart, complete = 1 ListParts + 1
 * CompleteMultipartUpload (an empty file: + 1 UploadPart of nothing), get = 1 GetObject, list page = 1
 * ListObjectsV2, deleteMany = 1 DeleteObjects.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type CompletedPart,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type ByteStream, type DriveRef, type DriveStore, type ListPage, type ListRequest, NoSuchUpload, type StoredFile } from '../data/drive-store';

export interface S3DriveStoreOptions {
  readonly client: S3Client;
  readonly bucketName: string;
}

/** The object key of a file: what API Gateway's part route and the download route compute the same way. */
export function driveObjectKey(ref: DriveRef, name: string): string {
  return `${drivePrefix(ref)}${name}`;
}

function drivePrefix(ref: DriveRef): string {
  return `${ref.projectId}/${ref.drive}/`;
}

export class S3DriveStore implements DriveStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3DriveStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucketName;
  }

  async initiate(ref: DriveRef, name: string, contentType: string): Promise<string> {
    const result = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: driveObjectKey(ref, name), ContentType: contentType }),
    );
    if (!result.UploadId) throw new Error(`S3 started no upload for ${driveObjectKey(ref, name)}`);
    return result.UploadId;
  }

  async putPart(ref: DriveRef, uploadId: string, name: string, part: number, body: ByteStream): Promise<void> {
    // Parts are at most 10 MiB (checked above this store); a Buffer gives S3 the length it needs up front.
    const bytes = await collect(body);
    await this.uploadPart(ref, uploadId, name, part, bytes);
  }

  async complete(ref: DriveRef, uploadId: string, name: string): Promise<void> {
    const Key = driveObjectKey(ref, name);
    let parts = await this.parts(Key, uploadId);
    if (parts.length === 0) {
      // S3 cannot complete an upload without parts; one empty part makes the empty file and keeps the upload's
      // content type.
      await this.uploadPart(ref, uploadId, name, 1, new Uint8Array(0));
      parts = await this.parts(Key, uploadId);
    }
    await this.send(uploadId, () =>
      this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
    );
  }

  async abort(ref: DriveRef, uploadId: string, name: string): Promise<void> {
    await this.send(uploadId, () =>
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: driveObjectKey(ref, name), UploadId: uploadId })),
    );
  }

  async get(ref: DriveRef, name: string): Promise<StoredFile | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: driveObjectKey(ref, name) }));
      return {
        size: result.ContentLength ?? 0,
        contentType: result.ContentType ?? 'application/octet-stream',
        body: result.Body as ByteStream,
      };
    } catch (error) {
      if (errorCode(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async deleteMany(ref: DriveRef, names: readonly string[]): Promise<{ readonly failed: Readonly<Record<string, string>> }> {
    const failed: Record<string, string> = {};
    if (names.length === 0) return { failed };
    const result = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: names.map((name) => ({ Key: driveObjectKey(ref, name) })), Quiet: true },
      }),
    );
    const prefix = drivePrefix(ref);
    for (const error of result.Errors ?? []) {
      if (error.Key?.startsWith(prefix)) failed[error.Key.slice(prefix.length)] = error.Message ?? error.Code ?? 'not deleted';
    }
    return { failed };
  }

  /** The names of the project's drives that hold files (what an export enumerates): one listing by folder. */
  async driveNames(projectId: string): Promise<string[]> {
    const prefix = `${projectId}/`;
    const names: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken }));
      for (const common of page.CommonPrefixes ?? []) names.push(common.Prefix!.slice(prefix.length, -1));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return names.sort();
  }

  async list(ref: DriveRef, request: ListRequest): Promise<ListPage> {
    const prefix = drivePrefix(ref);
    const result = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix + (request.prefix ?? ''),
        ...(request.after === undefined ? {} : { StartAfter: prefix + request.after }),
        MaxKeys: request.limit,
      }),
    );
    const names = (result.Contents ?? []).flatMap((object) => (object.Key ? [object.Key.slice(prefix.length)] : []));
    return { names, done: !result.IsTruncated };
  }

  private async uploadPart(ref: DriveRef, uploadId: string, name: string, part: number, bytes: Uint8Array): Promise<void> {
    await this.send(uploadId, () =>
      this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: driveObjectKey(ref, name),
          UploadId: uploadId,
          PartNumber: part,
          Body: bytes,
          ContentLength: bytes.byteLength,
        }),
      ),
    );
  }

  /** Every part of an upload in ascending part number (ListParts pages at 1,000; a 100 MB file has 10). */
  private async parts(Key: string, uploadId: string): Promise<CompletedPart[]> {
    const parts: CompletedPart[] = [];
    let marker: string | undefined;
    do {
      const page = await this.send(uploadId, () =>
        this.client.send(new ListPartsCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumberMarker: marker })),
      );
      for (const part of page.Parts ?? []) parts.push({ PartNumber: part.PartNumber, ETag: part.ETag });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
    return parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
  }

  /** S3's NoSuchUpload (unknown, finished, or another name's upload) as the store's `NoSuchUpload`. */
  private async send<T>(uploadId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (errorCode(error) === 'NoSuchUpload') throw new NoSuchUpload(uploadId);
      throw error;
    }
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as { name?: string; Code?: string };
  return Code ?? name;
}

async function collect(body: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
