/**
 * Reads a ZIP's central directory: the entry names and the Unix modes Lambda applies when it unpacks the archive.
 * Enough for the small, non-ZIP64 archives the CDK uploads for a function or a layer.
 */

const END_OF_CENTRAL_DIRECTORY = Buffer.from('PK\x05\x06', 'latin1');
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const UNIX_HOST = 3;

/** Each entry's Unix mode (type and permission bits), or `undefined` when the archiver did not record one. */
export function zipEntries(zip: Buffer): Map<string, number | undefined> {
  const end = zip.lastIndexOf(END_OF_CENTRAL_DIRECTORY);
  if (end < 0) throw new Error('not a ZIP: no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('ZIP64 archives are not supported');

  const entries = new Map<string, number | undefined>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`corrupt ZIP: bad central directory header at ${offset}`);
    const madeByHost = zip.readUInt8(offset + 5);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const externalAttributes = zip.readUInt32LE(offset + 38);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    // Unix archivers keep st_mode in the high 16 bits; other hosts' attributes mean nothing to Lambda's unzip.
    entries.set(name, madeByHost === UNIX_HOST ? externalAttributes >>> 16 : undefined);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
