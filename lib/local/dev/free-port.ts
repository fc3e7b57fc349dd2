import net from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * Ports for the micros' own servers come from below the OS's ephemeral range. A port the OS picked for `listen(0)`
 * and released could be handed straight back to another `listen(0)` (a Runtime API, a router) before the micro
 * binds it; the adapter's readiness check would then find that server listening and send the micro's requests to
 * it. Outside the ephemeral range nothing else gets a port by chance, and ports this process handed out are not
 * reused while their environment may still hold them.
 */
const RANGE_END = ephemeralRangeStart() - 1;
const RANGE_START = Math.max(1024, RANGE_END - 12_000);
const handedOut = new Set<number>();
const MAX_ATTEMPTS = 200;

function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 2048) return first;
  } catch {
    // Not Linux: fall through to the IANA dynamic range's start, which macOS and Windows use.
  }
  return 49152;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 now, outside the ephemeral range, for one execution environment's app server. */
export async function findFreePort(): Promise<number> {
  const size = RANGE_END - RANGE_START + 1;
  if (handedOut.size >= size / 2) handedOut.clear();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = RANGE_START + Math.floor(Math.random() * size);
    if (handedOut.has(port) || !(await isFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port for a micro between ${RANGE_START} and ${RANGE_END} on 127.0.0.1 after ${MAX_ATTEMPTS} tries`);
}
