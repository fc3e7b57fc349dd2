/**
 * What the Node adapter reads from /proc/net about listening sockets, against real sockets: the IPv6 check that
 * decides whether readiness connects to ::1 at all (runtime-layer/node/listening-ports.ts).
 */
import { afterEach, expect, test } from 'vitest';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { listensOnIPv6 } from '../../runtime-layer/node/listening-ports';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function listen(host: string, port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

test('a port with a socket listening on ::1 is seen as listening on IPv6', async () => {
  const port = await listen('::1');
  expect(listensOnIPv6(port)).toBe(true);
});

test('a port with a socket listening on every address (::, dual stack) is seen as listening on IPv6', async () => {
  const port = await listen('::');
  expect(listensOnIPv6(port)).toBe(true);
});

test('a port listened on only by IPv4 is not seen as listening on IPv6, so readiness never connects to ::1 for it', async () => {
  const port = await listen('127.0.0.1');
  expect(listensOnIPv6(port)).toBe(false);
});
