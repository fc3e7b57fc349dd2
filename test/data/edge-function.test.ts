/**
 * The CloudFront Function's code, run as CloudFront runs it: the viewer-request event in, a request or a response
 * out (`require('crypto')` is the runtime's own module; its subset matches Node's createHash).
 */
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { edgeFunctionCode } from '../../lib/handlers/data-edge-function';
import { driveObjectKey } from '../../lib/handlers/s3-drive-store';

const PROJECT_KEY = 'a0test12_SecretValueForTestsOnly0123456789';
const PROJECT_ID = 'a0test12';

type Viewer = {
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
};

function runEdge(request: Viewer): Viewer & { statusCode?: number; body?: { data: string } } {
  const code = edgeFunctionCode({ projectKey: PROJECT_KEY, projectId: PROJECT_ID });
  const sandbox = { require: (name: string) => (name === 'crypto' ? { createHash } : undefined), event: { request }, result: undefined };
  runInNewContext(`${code}\nresult = handler(event);`, sandbox);
  return sandbox.result as never;
}

const download = (name: string, key = PROJECT_KEY, projectId = PROJECT_ID): Viewer => ({
  uri: `/v1/${projectId}/my%20drive/files/download`,
  querystring: { name: { value: name } },
  headers: { 'x-api-key': { value: key } },
});

describe('the edge function', () => {
  it('turns a download into the object key the S3 store writes, every piece encoded', () => {
    for (const [sent, name] of [
      ['folder%2Fa%20b.txt', 'folder/a b.txt'],
      ['name+with+spaces.txt', 'name with spaces.txt'],
      ['..', '..'],
      ['a%2F..%2F..%2Fother%2Fx', 'a/../../other/x'],
      ['%C3%A9%E2%82%AC%2B', 'é€+'],
    ]) {
      const request = runEdge(download(sent));
      expect(request.statusCode).toBeUndefined();
      expect(decodeURIComponent(request.uri.slice(1))).toBe(driveObjectKey({ projectId: PROJECT_ID, drive: 'my drive' }, name));
      // One path segment per piece: a name's slashes and dots never become path segments S3 or CloudFront resolve.
      expect(request.uri.split('/')).toHaveLength(4);
      expect(request.uri).not.toMatch(/\/\.\.?(\/|$)/);
      expect(request.querystring).toEqual({});
      expect(request.headers['x-api-key']).toBeUndefined();
    }
  });

  it('re-encodes a part name canonically and keeps the key for API Gateway', () => {
    const request = runEdge({
      uri: `/v1/${PROJECT_ID}/d/uploads/abc123/parts`,
      querystring: { name: { value: 'a+b%2Fc' }, part: { value: '2' } },
      headers: { 'x-api-key': { value: PROJECT_KEY } },
    });
    expect(request.uri).toBe(`/v1/${PROJECT_ID}/d/uploads/abc123/parts`);
    expect(request.querystring).toEqual({ name: { value: 'a%20b%2Fc' }, part: { value: '2' } });
    expect(request.headers['x-api-key']).toEqual({ value: PROJECT_KEY });
  });

  it('answers a wrong or missing key, another project and a missing name with the JSON errors the SDKs read', () => {
    const cases: [Viewer, number, string][] = [
      [download('a', 'a0test12_wrong'), 401, 'Unauthorized'],
      [{ ...download('a'), headers: {} }, 401, 'Unauthorized'],
      [download('a', PROJECT_KEY, 'otherprj'), 401, 'Unauthorized'],
      [{ ...download('a'), querystring: {} }, 400, 'Name is empty'],
      [download('%20'), 400, 'Name is empty'],
      [download('%E0%A4%A'), 400, 'Malformed percent-encoding'],
    ];
    for (const [request, status, message] of cases) {
      const response = runEdge(request);
      expect(response.statusCode).toBe(status);
      expect(JSON.parse(response.body!.data).errors[0]).toBe(message);
    }
  });

  it('judges the whole path: only the two routes exactly, every segment decoding to one segment, the drive by the API rule', () => {
    const request = (uri: string): Viewer => ({
      uri,
      querystring: { name: { value: 'a' }, part: { value: '1' } },
      headers: { 'x-api-key': { value: PROJECT_KEY } },
    });
    const cases: [string, number, string][] = [
      // The pattern's * matches across segments: anything but the exact shapes is no route of this function.
      [`/v1/${PROJECT_ID}/d/x/../files/download`, 404, 'Not found'],
      [`/v1/${PROJECT_ID}/d/./files/download`, 404, 'Not found'],
      [`/v1/${PROJECT_ID}//files/download`, 400, 'Name is empty'],
      [`/v1/${PROJECT_ID}/d/files/download/`, 404, 'Not found'],
      [`/v1//${PROJECT_ID}/d/files/download`, 404, 'Not found'],
      [`//v1/${PROJECT_ID}/d/files/download`, 404, 'Not found'],
      [`/V1/${PROJECT_ID}/d/files/download`, 404, 'Not found'],
      [`/v1/${PROJECT_ID}/d/uploads/u/x/parts`, 404, 'Not found'],
      [`/v1/${PROJECT_ID}/d/uploads/../parts`, 404, 'Upload not found'],
      [`/v1/${PROJECT_ID}/d/uploads/%2E%2E/parts`, 404, 'Upload not found'],
      [`/v1/${PROJECT_ID}/d/uploads/a%2Fb/parts`, 404, 'Upload not found'],
      // Encoded slashes: a drive whose name holds / would reach into another drive's keys.
      [`/v1/${PROJECT_ID}/other%2Fd/files/download`, 400, 'Name must not contain /'],
      [`/v1/${PROJECT_ID}/other%2Fd/uploads/u/parts`, 400, 'Name must not contain /'],
      [`/v1/${PROJECT_ID}/%20/files/download`, 400, 'Name is empty'],
      [`/v1/${PROJECT_ID}/%E0%A4/files/download`, 400, 'Malformed percent-encoding'],
      [`/v1/${PROJECT_ID}/d/uploads/%E0/parts`, 400, 'Malformed percent-encoding'],
      [`/v1/${PROJECT_ID}%2F..%2Fother/d/files/download`, 401, 'Unauthorized'],
    ];
    for (const [uri, status, message] of cases) {
      const response = runEdge(request(uri));
      expect({ uri, status: response.statusCode, message: response.body && JSON.parse(response.body.data).errors[0] }).toEqual({
        uri,
        status,
        message,
      });
    }
    // Dots in a drive name are the name's own (the API accepts them): they stay inside the one encoded piece.
    const dots = runEdge(request(`/v1/${PROJECT_ID}/%2E%2E/files/download`));
    expect(dots.statusCode).toBeUndefined();
    expect(dots.uri).toBe(`/${PROJECT_ID}/%2E%2E/a`);
  });
});

describe('part numbers at the edge', () => {
  const part = (value: string | undefined): Viewer => ({
    uri: `/v1/${PROJECT_ID}/d/uploads/u1/parts`,
    querystring: { name: { value: 'a' }, ...(value === undefined ? {} : { part: { value } }) },
    headers: { 'x-api-key': { value: PROJECT_KEY } },
  });

  it('forwards only the part number and name it checked, not a repeated one API Gateway would read instead', () => {
    const repeated = part('1');
    repeated.querystring.part = { value: '1', multiValue: [{ value: '1' }, { value: '01' }] } as never;
    repeated.querystring.name = { value: 'a', multiValue: [{ value: 'a' }, { value: '../b' }] } as never;
    const forwarded = runEdge(repeated);
    expect(forwarded.statusCode).toBeUndefined();
    expect(forwarded.querystring).toEqual({ name: { value: 'a' }, part: { value: '1' } });
    expect(runEdge(part('%31')).querystring.part).toEqual({ value: '1' });
  });

  it('passes part numbers 1 to 10000, written plainly, on to API Gateway', () => {
    for (const value of ['1', '10', '10000', '%31']) expect(runEdge(part(value)).statusCode).toBeUndefined();
  });

  it("refuses the others with the JSON API's answer, before API Gateway hands S3 `01` as part 1", () => {
    for (const [value, shown] of [
      ['01', '"01"'],
      ['0', '"0"'],
      ['10001', '"10001"'],
      ['1x', '"1x"'],
      ['%2B1', '"+1"'],
      [undefined, 'null'],
    ]) {
      const response = runEdge(part(value));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body!.data)).toEqual({ errors: ['Invalid part number', `part is ${shown}; parts are numbered 1 to 10000`] });
    }
  });
});
