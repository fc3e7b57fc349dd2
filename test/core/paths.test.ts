/** The one rule for how a request path may be read, shared by auth, the dev router and both adapters. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOriginForm, isReservedPath, pathReadings } from '../../lib/core/paths';

describe('pathReadings', () => {
  it('gives a plain path as its only reading', () => {
    expect(pathReadings('/notes/1')).toEqual(['/notes/1']);
    expect(pathReadings('/.well-known/x')).toEqual(['/.well-known/x']);
  });

  it('keeps the path as sent first, then every decoded, unslashed, dot-resolved reading', () => {
    expect(pathReadings('/a//b/./c/')).toEqual(['/a//b/./c/', '/a/b/c/']);
    expect(pathReadings('/a/%2e%2e/b')).toEqual(['/a/%2e%2e/b', '/a/../b', '/b']);
    expect(pathReadings('/a/..%5Cb')).toEqual(['/a/..%5Cb', '/a/..\\b', '/a/../b', '/b']);
    expect(pathReadings('/a/%252e%252e/b')).toContain('/b');
  });

  it('reads a leading //host as an authority, as URL parsers do', () => {
    expect(pathReadings('//evil/__space/x')).toContain('/__space/x');
  });

  it('decodes twice at most, as a proxy and then a framework would: a third encoding stays a name', () => {
    expect(pathReadings('/%252541')).toEqual(['/%252541', '/%2541', '/%41']);
    expect(isReservedPath('/%255F%255Fspace/x')).toBe(true);
    expect(isReservedPath('/%25255F%25255Fspace/x')).toBe(false);
  });

  it('leaves malformed percent-encoding as sent: no framework can decode it', () => {
    expect(pathReadings('/bad%zz')).toEqual(['/bad%zz']);
  });
});

describe('isReservedPath', () => {
  it.each([
    '/__space',
    '/__space/v0/actions',
    '/__SPACE/v0/actions',
    '/%5F%5Fspace/v0',
    '/%5f%5fSPACE',
    '/a/../__space/x',
    '/a/..%2F__space/x',
    '/a/..%5C__space/x',
    '/a/..\\__space/x',
    '/a/%2e%2e/__space',
    '//x/__space/v0/actions',
    '/%255F%255Fspace/v0',
  ])("%s is the runtime's", (path) => {
    expect(isReservedPath(path)).toBe(true);
  });

  it.each(['/', '/__spacex', '/a/__space', '/space/__space.txt', '/bad%zz__space'])('%s is not', (path) => {
    expect(isReservedPath(path)).toBe(false);
  });
});

describe('isOriginForm', () => {
  it('accepts only targets that start with a slash', () => {
    expect(isOriginForm('/a?b')).toBe(true);
    expect(isOriginForm('http://x/__space/v0/actions')).toBe(false);
    expect(isOriginForm('*')).toBe(false);
  });
});

describe('the Python adapter reads paths the same way', () => {
  const PATHS = [
    '/notes/1',
    '/a//b/./c/',
    '/a/%2e%2e/b',
    '/a/..%5Cb',
    '/a/%252e%252e/b',
    '//evil/__space/x',
    '/bad%zz',
    '/%C4%80',
    '/%ED%A0%80',
    '/x/..',
    '/x/.',
    '/__SPACE/v0',
    '/a/..\\__space',
    '/%255F%255Fspace/v0',
    '/caf%C3%A9/../x',
    '//',
    '/%2F%2Fh/x',
    // A decoded newline at the end: a regular expression's `$` matches before it in Python, not in JavaScript.
    '/x/%0A',
    '/x/%0A/',
  ];
  it('gives the same readings for every path, in the same order', () => {
    const script =
      'import json,sys\nfrom spaceport_adapter.events import path_readings\nprint(json.dumps([path_readings(p) for p in json.load(sys.stdin)]))';
    const output = execFileSync('python3', ['-c', script], {
      input: JSON.stringify(PATHS),
      // The built layer's adapter: its constants module is generated from lib/core at build time.
      env: { ...process.env, PYTHONPATH: join(__dirname, '../../runtime-layer/dist/layer/python') },
    });
    expect(JSON.parse(output.toString())).toEqual(PATHS.map(pathReadings));
  });
});
