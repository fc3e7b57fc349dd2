/**
 * Lambda's limits hold on the cloud data path: the deployed bundle of the data function runs in the repo's Lambda
 * emulator (6 MB Invoke payload, enforced as Lambda does), the official SDK uploads a 100 MB file in its fixed
 * 10 MiB parts and a 5.5 MB file in one part, and every invocation stays a small JSON call because the bytes take
 * the edge routes. The same bytes as a Lambda event are refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { Deta } from 'deta';
import { useCloudPath } from './cloud-fixture';
import { PROJECT_KEY } from './data-helpers';

/** Lambda's synchronous Invoke request limit. */
const INVOKE_LIMIT = 6 * 1024 * 1024;

const fixture = useCloudPath({ emulator: true });

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the data function under the Lambda emulator', () => {
  it('a 100 MB file goes up in 10 MiB parts and comes back whole, and no invocation carries its bytes', async () => {
    const drive = Deta(PROJECT_KEY).Drive('big');
    const file = Buffer.alloc(100 * 1000 * 1000);
    randomBytes(1024 * 1024).copy(file); // not all zeros, and cheap to make
    file.writeUInt32BE(0xdeadbeef, file.length - 4);
    expect(await drive.put('videos/a film.bin', { data: file })).toBe('videos/a film.bin');

    const parts = fixture.cloud.edgeRequests.filter((edge) => edge.path.endsWith('/parts'));
    expect(parts.map((part) => part.bodyBytes)).toEqual([...Array(9).fill(10 * 1024 * 1024), file.length - 9 * 10 * 1024 * 1024]);

    const back = await drive.get('videos/a film.bin');
    expect(back?.size).toBe(file.length);
    expect(sha256(new Uint8Array(await back!.arrayBuffer()))).toBe(sha256(file));

    // Start, complete, and a Base call for good measure: each a small JSON event, well inside the limit.
    await Deta(PROJECT_KEY).Base('notes').put({ text: 'filed' }, 'note');
    expect(fixture.cloud.invocations.length).toBeGreaterThanOrEqual(3);
    for (const invocation of fixture.cloud.invocations) {
      expect(invocation.outcome).toBe('success');
      expect(invocation.eventBytes).toBeLessThan(16 * 1024);
    }
  });

  it('any file a micro can receive (5.5 MB) goes up in one part; as a Lambda event the same bytes are refused', async () => {
    const drive = Deta(PROJECT_KEY).Drive('big');
    const file = randomBytes(5.5 * 1000 * 1000);
    const before = fixture.cloud.edgeRequests.length;
    expect(await drive.put('upload.bin', { data: file })).toBe('upload.bin');
    expect(fixture.cloud.edgeRequests.slice(before).map((edge) => edge.bodyBytes)).toEqual([file.length]);
    expect(sha256(new Uint8Array(await (await drive.get('upload.bin'))!.arrayBuffer()))).toBe(sha256(file));

    // Deta's single-request upload (POST /files?name=) is a JSON-route call: its body would be the event.
    const invocations = fixture.cloud.invocations.length;
    const status = await post(`/v1/${PROJECT_KEY.split('_')[0]}/big/files?name=direct.bin`, file);
    expect(status).toBe(413);
    const refused = fixture.cloud.invocations.slice(invocations);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.outcome).toBe('too-large');
    expect(refused[0]!.eventBytes).toBeGreaterThan(INVOKE_LIMIT);
  });
});

function post(path: string, body: Buffer): Promise<number> {
  const [host, port] = fixture.cloud.host.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, method: 'POST', headers: { 'x-api-key': PROJECT_KEY, 'content-type': 'application/octet-stream' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
