/**
 * Waiting for the app to listen: a probe every 10 ms (and right after the app prints something), progress in the
 * logs at 100 ms, 500 ms, 1 s, 2 s and 5 s, until the app answers, exits, or the budget runs out.
 * The probe also finds which loopback address the app listens on (IPv4 first, then IPv6).
 *
 * An app that ignores `$PORT` (a server started without a port listens on its own default) is found where its
 * processes do listen, from 250 ms on, and used there, with a log line saying so: requests reach it instead of
 * timing out with no hint.
 */
import { connect } from 'node:net';
import { Connection } from './http11';
import type { Readiness } from './config';
import type { AppProcess, ExitStatus } from './app-process';
import { listeningPorts } from './listening-ports';
import { log } from './log';

const POLL_MS = 10;
const PROGRESS_MARKS_MS = [100, 500, 1000, 2000, 5000];
const LOOPBACK_HOSTS = ['127.0.0.1', '::1'];
/** A probe that takes longer than this counts as "not ready yet". */
const PROBE_TIMEOUT_MS = 1000;
/** When, and how often, to look for a port the app's processes listen on instead of `$PORT`. */
const OTHER_PORT_AFTER_MS = 250;
const OTHER_PORT_EVERY_MS = 100;

export type ReadyOutcome =
  { readonly ready: true; readonly host: string; readonly port: number } | { readonly ready: false; readonly exit?: ExitStatus };

function tcpProbe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function httpProbe(host: string, port: number, path: string): Promise<boolean> {
  const connection = new Connection(host, port);
  try {
    const { status } = await connection.exchange('GET', path, ['host', `127.0.0.1:${port}`], undefined, { timeoutMs: PROBE_TIMEOUT_MS });
    return status >= 100 && status <= 499;
  } catch {
    return false;
  } finally {
    connection.close();
  }
}

/** The first loopback host on which the app is ready, if any (a refused loopback connection costs microseconds). */
export async function probe(readiness: Readiness, port: number): Promise<string | undefined> {
  for (const host of LOOPBACK_HOSTS) {
    if (await (readiness.kind === 'tcp' ? tcpProbe(host, port) : httpProbe(host, port, readiness.path))) return host;
  }
  return undefined;
}

/** A port other than `port` on which the app's processes listen and the app is ready, when `look` says to look. */
async function listeningElsewhere(
  app: AppProcess,
  readiness: Readiness,
  port: number,
  look: boolean,
): Promise<{ host: string; port: number } | undefined> {
  if (!look || app.pid === undefined) return undefined;
  for (const other of listeningPorts(app.pid)) {
    if (other === port) continue;
    const host = await probe(readiness, other);
    if (host !== undefined) return { host, port: other };
  }
  return undefined;
}

export function waitUntilReady(app: AppProcess, readiness: Readiness, port: number, timeoutMs: number): Promise<ReadyOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let probing = false;
    let nextMark = 0;
    let nextPortScan = started + OTHER_PORT_AFTER_MS;
    const finish = (outcome: ReadyOutcome): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(deadline);
      app.onOutput = () => {};
      resolve(outcome);
    };
    // Output that arrives while a probe is in flight asks for another probe right after it, not 10 ms later.
    let recheck = false;
    const check = async (): Promise<void> => {
      if (settled) return;
      if (probing) {
        recheck = true;
        return;
      }
      probing = true;
      recheck = false;
      const host = await probe(readiness, port);
      const elsewhere = host === undefined ? await listeningElsewhere(app, readiness, port, Date.now() >= nextPortScan) : undefined;
      probing = false;
      if (host !== undefined) return finish({ ready: true, host, port });
      if (elsewhere !== undefined) {
        log(
          `\`${app.command}\` listens on port ${elsewhere.port}, not on $PORT (${port}): sending its requests to ` +
            `${elsewhere.port}. Have it listen on $PORT (e.g. --port $PORT) to start without this search`,
        );
        return finish({ ready: true, ...elsewhere });
      }
      if (Date.now() >= nextPortScan) nextPortScan = Date.now() + OTHER_PORT_EVERY_MS;
      if (recheck) return check();
      const elapsed = Date.now() - started;
      while (nextMark < PROGRESS_MARKS_MS.length && elapsed >= PROGRESS_MARKS_MS[nextMark]) {
        log(`still waiting for \`${app.command}\` to listen on port ${port} (${PROGRESS_MARKS_MS[nextMark]} ms)`);
        nextMark += 1;
      }
    };
    const timer = setInterval(check, POLL_MS);
    const deadline = setTimeout(() => finish({ ready: false }), timeoutMs);
    app.onOutput = () => void check();
    app.exited.then((exit) => finish({ ready: false, exit }));
    void check();
  });
}
