/**
 * Data between a Deta Space export, the deployed app's DynamoDB table and S3 bucket (dynalite and s3rver, speaking
 * the real protocols) and the local store: import into the cloud stores, export from them, import that into a
 * local app: identical items, byte-identical files.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../lib/data/archive';
import { exportArchive, importArchive, type DataTarget } from '../../lib/data/transfer';
import { DynamoDbBaseStore } from '../../lib/handlers/dynamodb-base-store';
import { S3DriveStore } from '../../lib/handlers/s3-drive-store';
import { openLocalStores } from '../../lib/local/data/local-stores';
import { deployedDataTarget } from '../../lib/operate/deployed-data';
import { type AwsServers, startAwsServers } from './aws-servers';
import { newStateDir } from './data-helpers';

const PROJECT_ID = 'cloud123';
const BIG = Buffer.alloc(10 * 1024 * 1024 + 77, 9);

let servers: AwsServers;
let cloud: DataTarget;
beforeAll(async () => {
  servers = await startAwsServers();
  const base = new DynamoDbBaseStore({ client: servers.dynamodb, tableName: servers.tableName });
  const drive = new S3DriveStore({ client: servers.s3, bucketName: servers.bucketName });
  cloud = { projectId: PROJECT_ID, base, drive, catalog: { baseNames: (id) => base.baseNames(id), driveNames: (id) => drive.driveNames(id) } };
});
afterAll(async () => servers?.close());

async function zip(files: Record<string, string | Buffer>): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'spaceport-export-')), 'export.zip');
  const archive = new yazl.ZipFile();
  const out = createWriteStream(path);
  archive.outputStream.pipe(out);
  for (const [name, content] of Object.entries(files)) archive.addBuffer(Buffer.from(content), name);
  archive.end();
  await finished(out);
  return path;
}

async function importInto(path: string, target: DataTarget) {
  const archive = await openArchive(path);
  try {
    return await importArchive(archive, target);
  } finally {
    archive.close();
  }
}

async function bytes(target: DataTarget, drive: string, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await target.drive.get({ projectId: target.projectId, drive }, name))!.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('the deployed app as an import and export target', () => {
  it('imports a Space export into DynamoDB and S3, and an export of them brings the same data home', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, i, tags: ['x'] }));
    const path = await zip({
      'bases/notes.json': JSON.stringify(items),
      'bases/users.json': JSON.stringify({ ann: { n: 1 } }),
      'drives/files/big.bin': BIG,
      'drives/files/a b/c.txt': 'c',
    });
    const report = await importInto(path, cloud);
    expect(report.bases.map((base) => [base.base, base.written])).toEqual([
      ['notes', 60],
      ['users', 1],
    ]);
    expect(report.drives.map((drive) => [drive.drive, drive.written, drive.bytes])).toEqual([['files', 2, BIG.length + 1]]);
    expect(await cloud.catalog.baseNames(PROJECT_ID)).toEqual(['notes', 'users']);
    expect(await cloud.catalog.driveNames(PROJECT_ID)).toEqual(['files']);
    expect(await cloud.catalog.baseNames('otherprj')).toEqual([]);

    // A second run finds everything there: resumable without duplicates.
    const again = await importInto(path, cloud);
    expect(again.bases[0]!.skipped).toHaveLength(60);
    expect(again.drives[0]!.skipped.map((skip) => skip.reason)).toEqual(['already there (same size)', 'already there (same size)']);

    const out = join(mkdtempSync(join(tmpdir(), 'spaceport-cloud-export-')), 'cloud.zip');
    expect(await exportArchive(cloud, out)).toEqual({ bases: 2, items: 61, files: 2, bytes: BIG.length + 1 });
    const local = await openLocalStores(newStateDir(), 'local123');
    try {
      await importInto(out, local);
      const notes = (await local.base.scan({ projectId: 'local123', base: 'notes' }, { range: {}, limit: 100 })).records.map((record) => record.item);
      expect(notes).toEqual(items);
      expect((await bytes(local, 'files', 'big.bin')).equals(BIG)).toBe(true);
      expect((await bytes(local, 'files', 'a b/c.txt')).toString()).toBe('c');
    } finally {
      await local.close();
    }
  });

  it('names a stack deployed without Base and Drive', () => {
    const app = { version: 1 as const, appName: 'a', url: 'https://x/', accessLogGroup: 'l', micros: {}, stackName: 'spaceport-a' };
    expect(() => deployedDataTarget(app)).toThrow("stack 'spaceport-a' has no Base and Drive (deployed with data: false)");
  });
});
