/**
 * The Node adapter's HTTP/1.1 client (runtime-layer/node/http11.ts) against real sockets: servers that answer with
 * exactly the bytes a test scripts, so each framing (Content-Length, chunked in pieces, close-delimited, interim
 * 1xx, bodiless statuses) and each failure (a kept-alive connection closed while idle, nothing listening, a body
 * over the limit, no answer in time, a header HTTP/1.1 cannot carry) is what the client really sees.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BodyTooLarge, Connection, Disconnected, InvalidHead, TimedOut } from '../../runtime-layer/node/http11';

const servers: Server[] = [];
const connections: Connection[] = [];
afterEach(() => {
  for (const connection of connections.splice(0)) connection.close();
  for (const server of servers.splice(0)) server.close();
});

/** A server calling `answer` with each complete request head (and the socket) it receives; resolves its port. */
async function scripted(answer: (head: string, socket: Socket, index: number) => void): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      let end: number;
      while ((end = received.indexOf('\r\n\r\n')) >= 0) {
        const head = received.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (received.length < end + 4 + length) return;
        requests.push(received.slice(0, end + 4 + length));
        received = received.slice(end + 4 + length);
        answer(head, socket, requests.length - 1);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests };
}

function connection(port: number): Connection {
  const made = new Connection('127.0.0.1', port);
  connections.push(made);
  return made;
}

describe('http11 Connection', () => {
  test('sends one request with its headers and body, and keeps the connection for the next', async () => {
    const server = await scripted((_head, socket) =>
      socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nX-Twice: a\r\nx-twice: b\r\n\r\nok'),
    );
    const client = connection(server.port);
    const first = await client.exchange('POST', '/r?x=1', ['host', 'h', 'content-length', '5'], Buffer.from('hello'));
    expect(first).toMatchObject({ status: 202, reason: 'Accepted', headers: ['Content-Length', '2', 'X-Twice', 'a', 'x-twice', 'b'] });
    expect(first.body.toString()).toBe('ok');
    expect(server.requests[0]).toBe('POST /r?x=1 HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\nhello');
    await client.exchange('GET', '/again', ['host', 'h']);
    expect(client.connected).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  test('reads a chunked body that arrives in pieces, with trailers, after an interim 100', async () => {
    const server = await scripted((_head, socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
      setTimeout(() => socket.write('lo\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n'), 20);
      setTimeout(() => socket.write('\r\n'), 40);
    });
    const response = await connection(server.port).exchange('GET', '/', ['host', 'h']);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello world');
  });

  test('reads a large body that arrives in many pieces whole, Content-Length or close-delimited', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
    const server = await scripted((_head, socket, index) => {
      socket.write(index === 0 ? `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n` : 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
      for (let at = 0; at < body.length; at += 65536) socket.write(body.subarray(at, at + 65536));
      if (index === 1) socket.end();
    });
    const client = connection(server.port);
    expect((await client.exchange('GET', '/', ['host', 'h'])).body.equals(body)).toBe(true);
    expect((await client.exchange('GET', '/', ['host', 'h'])).body.equals(body)).toBe(true);
  });

  test('reads a close-delimited body to the end, and a HEAD or 204 answer as bodiless', async () => {
    const server = await scripted((head, socket, index) => {
      if (index === 0) socket.end('HTTP/1.0 200 OK\r\n\r\nuntil the end');
      else socket.write(head.startsWith('HEAD') ? 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n' : 'HTTP/1.1 204 No Content\r\n\r\n');
    });
    const client = connection(server.port);
    expect((await client.exchange('GET', '/', ['host', 'h'])).body.toString()).toBe('until the end');
    expect(client.connected).toBe(false);
    expect((await client.exchange('HEAD', '/', ['host', 'h'])).body.length).toBe(0);
    expect((await client.exchange('GET', '/', ['host', 'h'])).status).toBe(204);
  });

  test('a kept-alive connection the server closed while idle fails as reused, so the caller can retry once', async () => {
    const server = await scripted((_head, socket, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    const client = connection(server.port);
    await client.exchange('GET', '/', ['host', 'h']);
    const error = await client.exchange('GET', '/', ['host', 'h']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Disconnected);
    expect(error).toMatchObject({ reused: true, refused: false });
  });

  test('nothing listening is a refused Disconnected', async () => {
    const server = await scripted(() => {});
    const port = server.port;
    servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await connection(port)
      .exchange('GET', '/', ['host', 'h'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ refused: true, reused: false });
  });

  test('bodies over the limit fail whether announced, chunked or close-delimited', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n6\r\n789012\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n12345678901',
    ];
    const server = await scripted((_head, socket, index) => (index === 2 ? socket.end(answers[index]) : socket.write(answers[index])));
    const client = connection(server.port);
    for (let i = 0; i < answers.length; i++) {
      await expect(client.exchange('GET', '/', ['host', 'h'], undefined, { limit: 10 })).rejects.toBeInstanceOf(BodyTooLarge);
    }
  });

  test('gives up after the timeout, and refuses a head HTTP/1.1 cannot carry before sending anything', async () => {
    const server = await scripted(() => {});
    const client = connection(server.port);
    await expect(client.exchange('GET', '/', ['host', 'h'], undefined, { timeoutMs: 30 })).rejects.toBeInstanceOf(TimedOut);
    expect(() => client.exchange('GET', '/', ['x-bad', 'line\nbreak'])).toThrow(InvalidHead);
    expect(() => client.exchange('GE T', '/', [])).toThrow(InvalidHead);
    expect(() => client.exchange('GET', '/a b', [])).toThrow(InvalidHead);
    // Nothing but the timed-out request may reach the server (which, on a loaded machine, the timeout can beat).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests.length).toBeLessThanOrEqual(1);
    expect(server.requests.every((request) => request.startsWith('GET / HTTP/1.1\r\n'))).toBe(true);
  });
});
