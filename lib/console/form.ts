/**
 * The console's form posts: `application/x-www-form-urlencoded`, and `multipart/form-data` for a Drive upload (text
 * fields and one file). The body is already whole (the adapter bounded it), so parsing is a scan of one buffer.
 */
export interface UploadedFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface ParsedForm {
  readonly fields: URLSearchParams;
  readonly files: ReadonlyMap<string, UploadedFile>;
}

/** A form the console cannot read; the message says why. */
export class FormError extends Error {}

export function parseForm(contentType: string | undefined, body: Buffer): ParsedForm {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return { fields: new URLSearchParams(body.toString('utf8')), files: new Map() };
  if (type === 'multipart/form-data') return parseMultipart(contentType!, body);
  throw new FormError(`post the console's forms as application/x-www-form-urlencoded or multipart/form-data, not '${contentType ?? 'nothing'}'`);
}

function parseMultipart(contentType: string, body: Buffer): ParsedForm {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new FormError('the multipart/form-data post has no boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields = new URLSearchParams();
  const files = new Map<string, UploadedFile>();
  let at = body.indexOf(delimiter);
  if (at < 0) throw new FormError('the multipart/form-data post has no part');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', at);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), at);
    if (headersEnd < 0 || next < 0 || headersEnd > next) throw new FormError('the multipart/form-data post is cut short');
    const headers = body.subarray(at, headersEnd).toString('utf8');
    const data = body.subarray(headersEnd + 4, next);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = parameter(disposition, 'name');
    if (name === undefined) throw new FormError('a part of the multipart/form-data post has no name');
    const fileName = parameter(disposition, 'filename');
    if (fileName === undefined) fields.append(name, data.toString('utf8'));
    else {
      const type = /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
      files.set(name, { fileName, contentType: type, data: Buffer.from(data) });
    }
    at = next + 2;
  }
  return { fields, files };
}

/** A `name="value"` parameter of a Content-Disposition (browsers escape `"` as `%22` and keep UTF-8 as is). */
function parameter(disposition: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(disposition);
  return match?.[1]?.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}
