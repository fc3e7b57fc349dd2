/** HTTP requests fetch cannot send: a `Host` of our choosing, an absolute-form or asterisk-form target. */
import { request as httpRequest } from 'node:http';

export function sendRaw(
  base: string,
  request: { method?: string; path: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: request.method ?? 'GET', path: request.path, headers: request.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
