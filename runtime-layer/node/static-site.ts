/**
 * Static mode: the adapter serves a directory itself, no child process. The code is read-only on Lambda, so the
 * file list, content types and ETags are computed once at start; each request reads one file.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { AppRequest } from './events';
import type { AppResponse } from './results';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';

interface StaticFile {
  readonly file: string;
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.zip': 'application/zip',
};

export class StaticSite {
  private readonly files = new Map<string, StaticFile>();

  /** Indexes every file under `root`; throws with a clear message when `root` is not a directory. */
  constructor(root: string) {
    let isDirectory = false;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      // Reported below.
    }
    if (!isDirectory) throw new Error(`SPACEPORT_STATIC_DIR: ${root} is not a directory`);
    this.index(root, '');
  }

  async serve(request: AppRequest): Promise<AppResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method Not Allowed', `${request.method} is not allowed on static files`, [['allow', ['GET, HEAD']]]);
    }
    const found = this.lookup(request.target);
    if (found === undefined) return plain(404, 'Not Found', 'Not found');
    if (found.size > BODY_LIMIT_BYTES) return plain(413, 'Payload Too Large', `The file is ${found.size} bytes, over the 5.5 MB limit`);
    const headers = new Map<string, string[]>([
      ['content-type', [found.contentType]],
      ['etag', [found.etag]],
    ]);
    if (
      headerValue(request.headers, 'if-none-match')
        ?.split(/\s*,\s*/)
        .includes(found.etag)
    ) {
      return { status: 304, reason: 'Not Modified', headers, body: Buffer.alloc(0) };
    }
    headers.set('content-length', [String(found.size)]);
    const body = request.method === 'HEAD' ? Buffer.alloc(0) : await readFile(found.file);
    return { status: 200, reason: 'OK', headers, body };
  }

  private lookup(target: string): StaticFile | undefined {
    const queryStart = target.indexOf('?');
    let path = queryStart < 0 ? target : target.slice(0, queryStart);
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    // Keys never contain `..`, so a traversal attempt simply finds nothing.
    const key = path.replace(/\/+$/, '');
    return this.files.get(key) ?? this.files.get(`${key}/index.html`);
  }

  private index(directory: string, prefix: string): void {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const file = join(directory, entry.name);
      const key = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        this.index(file, key);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const stats = statSync(file, { throwIfNoEntry: false });
        if (stats === undefined || !stats.isFile()) continue;
        this.files.set(key, {
          file,
          size: stats.size,
          etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
          contentType: CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
        });
      }
    }
  }
}

function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) if (headers[i].toLowerCase() === name) return headers[i + 1];
  return undefined;
}

function plain(status: number, reason: string, text: string, extra: Array<[string, string[]]> = []): AppResponse {
  return {
    status,
    reason,
    headers: new Map([['content-type', ['text/plain; charset=utf-8']], ...extra]),
    body: Buffer.from(text, 'utf8'),
  };
}
