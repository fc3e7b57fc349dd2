/**
 * Static mode: the adapter serves a directory itself, no child process. The code is read-only on Lambda, so the
 * file list, content types and ETags are computed once at start; each request reads one file.
 *
 * What is served: every file under the directory, except dot-named files and directories (`.env`, `.git`,
 * `.spaceport` with `spaceport dev`'s secrets) other than `/.well-known/` (RFC 8615), and except symlinks that
 * lead out of the directory or nowhere. Locally the directory is the app's own source tree, so this is what keeps
 * `serve: .` from serving the owner secret.
 *
 * Unknown paths are 404, as Space served static micros (space-cli's `space dev` used Go's `http.FileServer`). A
 * single-page app with client-side routes sets a fallback (`SPACEPORT_STATIC_FALLBACK`, e.g. from a preset): a
 * GET or HEAD for an unknown path without a file extension, from a client that accepts HTML, gets that file.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { AppRequest } from './events';
import type { AppResponse } from './results';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';
import { isWithin, realTarget } from '../../lib/core/tree-links';

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
  private readonly fallback?: StaticFile;

  /**
   * Indexes every file under `root`; throws with a clear message when `root` is not a directory or `fallback`
   * (relative to `root`) is not one of its files.
   */
  constructor(root: string, fallback?: string) {
    let isDirectory = false;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      // Reported below.
    }
    if (!isDirectory) throw new Error(`SPACEPORT_STATIC_DIR: ${root} is not a directory`);
    const realRoot = realpathSync(root);
    this.index(root, '', realRoot, new Set([realRoot]));
    if (fallback !== undefined) {
      this.fallback = this.files.get(`/${fallback.replace(/^\.?\/+/, '')}`);
      if (this.fallback === undefined) throw new Error(`SPACEPORT_STATIC_FALLBACK: ${fallback} is not a file in ${root}`);
    }
  }

  async serve(request: AppRequest): Promise<AppResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method Not Allowed', `${request.method} is not allowed on static files`, [['allow', ['GET, HEAD']]]);
    }
    const found = this.lookup(request.target) ?? (this.fallback && isPageRequest(request) ? this.fallback : undefined);
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
    // Synchronous: Lambda hands the adapter one request at a time, and fs/promises would load its module and start
    // libuv's thread pool, four threads' worth of memory for the environment's life.
    const body = request.method === 'HEAD' ? Buffer.alloc(0) : readFileSync(found.file);
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

  /** Indexes `directory`; `ancestors` holds the real directories above it, so a link back to one (a loop) is not followed. */
  private index(directory: string, prefix: string, realRoot: string, ancestors: ReadonlySet<string>, realDirectory = realRoot): void {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (!isServedName(entry.name)) continue;
      const file = join(directory, entry.name);
      const key = `${prefix}/${entry.name}`;
      const real = entry.isSymbolicLink() ? realTarget(file) : join(realDirectory, entry.name);
      if (real === undefined || !isWithin(realRoot, real)) continue;
      // A link is judged by what it leads to as well: `cfg -> ../.spaceport` serves no dot-named directory.
      if (entry.isSymbolicLink() && !relative(realRoot, real).split(sep).every(isServedName)) continue;
      const stats = statSync(real, { throwIfNoEntry: false });
      if (stats?.isDirectory()) {
        if (!ancestors.has(real)) this.index(file, key, realRoot, new Set([...ancestors, real]), real);
      } else if (stats?.isFile()) {
        this.files.set(key, {
          file: real,
          size: stats.size,
          etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
          contentType: CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
        });
      }
    }
  }
}

/** Dot-named entries hold configuration and secrets, not pages; `.well-known` is for the world to read. */
function isServedName(name: string): boolean {
  return !name.startsWith('.') || name === '.well-known';
}

/** A browser asking for a page: no file extension in the last path segment, and HTML accepted. */
function isPageRequest(request: AppRequest): boolean {
  const path = request.target.split('?', 1)[0];
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  return !lastSegment.includes('.') && (headerValue(request.headers, 'accept') ?? '').includes('text/html');
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
