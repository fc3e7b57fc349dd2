/**
 * What each SDK call costs in DynamoDB and S3 requests on the cloud path (the table in docs/benchmarks.md):
 * counted at the AWS SDK clients of the stores and of the edge routes, per official `deta` SDK call.
 */
import { expect, it } from 'vitest';
import { Deta } from 'deta';
import { useCloudPath } from './cloud-fixture';
import { PROJECT_KEY } from './data-helpers';

const fixture = useCloudPath();

async function requestsOf(call: () => Promise<unknown>): Promise<Record<string, number>> {
  fixture.servers.requests.clear();
  await call();
  return Object.fromEntries([...fixture.servers.requests].sort(([a], [b]) => a.localeCompare(b)));
}

it('one put is one write, one get one read, one page of fetch one query; Drive calls are one S3 request each, plus a part per 10 MiB', async () => {
  const db = Deta(PROJECT_KEY).Base('costs');
  const drive = Deta(PROJECT_KEY).Drive('costs');
  const rows: [string, Record<string, number>][] = [];
  const measure = async (label: string, call: () => Promise<unknown>, expected: Record<string, number>) => {
    const counts = await requestsOf(call);
    rows.push([label, counts]);
    expect(counts, label).toEqual(expected);
  };

  await measure('Base put', () => db.put({ n: 1 }, 'a'), { BatchWriteItem: 1 });
  await measure('Base putMany (25 items)', () => db.putMany(Array.from({ length: 25 }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, i }))), {
    BatchWriteItem: 1,
  });
  await measure('Base get', () => db.get('a'), { GetItem: 1 });
  await measure('Base insert', () => db.insert({ n: 2 }, 'b'), { PutItem: 1 });
  await measure('Base update', () => db.update({ n: db.util.increment() }, 'a'), { GetItem: 1, PutItem: 1 });
  await measure('Base delete', () => db.delete('b'), { DeleteItem: 1 });
  await measure('Base fetch, one page with a filter over 26 items', () => db.fetch({ 'i?gte': 10 }), { Query: 1 });
  await measure('Base fetch, limit 5 with last', () => db.fetch({}, { limit: 5, last: 'k04' }), { Query: 1 });

  await measure('Drive put, 1 part', () => drive.put('one.txt', { data: 'hello' }), {
    CreateMultipartUpload: 1,
    UploadPart: 1,
    ListParts: 1,
    CompleteMultipartUpload: 1,
  });
  await measure('Drive put, 25 MB (3 parts)', () => drive.put('big.bin', { data: Buffer.alloc(25 * 1000 * 1000, 7) }), {
    CreateMultipartUpload: 1,
    UploadPart: 3,
    ListParts: 1,
    CompleteMultipartUpload: 1,
  });
  await measure('Drive get', async () => (await drive.get('one.txt'))?.text(), { GetObject: 1 });
  await measure('Drive list', () => drive.list(), { ListObjectsV2: 1 });
  await measure('Drive delete', () => drive.delete('one.txt'), { DeleteObjects: 1 });
  await measure('Drive deleteMany (2 names)', () => drive.deleteMany(['big.bin', 'none']), { DeleteObjects: 1 });

  console.log(
    [
      '| SDK call | requests |',
      '|---|---|',
      ...rows.map(
        ([label, counts]) =>
          `| ${label} | ${Object.entries(counts)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ')} |`,
      ),
    ].join('\n'),
  );
});
