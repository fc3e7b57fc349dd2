/**
 * The local Deta Base and Drive service of `spaceport dev`: the shared semantics (`lib/data`) over the journal
 * stores in `<app>/.spaceport/data`, served over HTTPS on the loopback interface with the app's local CA, and the
 * environment that makes a micro's SDK reach it and trust it.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { formatBytes } from '../../core/format-bytes';
import type { DataHandler } from '../../data/http';
import { dataCatalog, type DataTarget } from '../../data/transfer';
import { createDataHandler } from '../../data/service';
import { dataHostVariables } from '../../spacefile/platform-variables';
import { lockDataDir } from './data-dir-lock';
import { FileDriveStore } from './file-drive-store';
import { makeDirectoryDurably } from './journal';
import { JournalBaseStore } from './journal-base-store';
import { ensureLocalTls, type LocalTls } from './local-tls';
import { serveData } from './node-http';

export const DATA_DIR = 'data';

export interface LocalDataServiceOptions {
  /** The app's `.spaceport` directory. */
  readonly stateDir: string;
  readonly projectKey: string;
  /** Port on 127.0.0.1; taken ports fall back to a free one. @default 0 (a free port) */
  readonly port?: number;
  /** Unexpected failures. @default ignored */
  readonly log?: (message: string) => void;
}

export interface LocalDataService {
  /** `127.0.0.1:<port>`: the value of `DETA_BASE_HOST` and `DETA_DRIVE_HOST` (the SDKs add https://). */
  readonly host: string;
  readonly port: number;
  /** Where the data lives. */
  readonly dataDir: string;
  readonly tls: LocalTls;
  /** The same handler the HTTPS server uses, for the router's browser path. */
  readonly handler: DataHandler;
  /** The stores behind it, for the owner's console. */
  readonly stores: Omit<DataTarget, 'projectId'>;
  /** Live items and files now, and the bytes their journals and file contents take on disk. */
  usage(): { items: number; files: number; bytesOnDisk: number };
  close(): Promise<void>;
}

export async function startLocalDataService(options: LocalDataServiceOptions): Promise<LocalDataService> {
  const dataDir = join(options.stateDir, DATA_DIR);
  makeDirectoryDurably(dataDir);
  const releaseLock = lockDataDir(dataDir);
  let base: JournalBaseStore | undefined;
  let drive: FileDriveStore | undefined;
  try {
    base = await JournalBaseStore.open(dataDir, { log: options.log });
    drive = await FileDriveStore.open(dataDir, options.log);
    const tls = ensureLocalTls(options.stateDir);
    const handler = createDataHandler({ base, drive, projectKey: options.projectKey, log: options.log });
    const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
      serveData(handler, request, response).catch((error: Error) => {
        options.log?.(`data service: ${error.stack ?? error.message}`);
        response.destroy();
      });
    });
    const port = await listenOnLoopback(server, options.port ?? 0);
    const [openedBase, openedDrive] = [base, drive];
    return {
      host: `127.0.0.1:${port}`,
      port,
      dataDir,
      tls,
      handler,
      stores: { base: openedBase, drive: openedDrive, catalog: dataCatalog(openedBase, openedDrive) },
      usage: () => {
        const files = openedDrive.usage();
        return { items: openedBase.recordCount, files: files.files, bytesOnDisk: openedBase.journalBytes + files.journalBytes + files.bytes };
      },
      close: async () => {
        await new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        });
        await Promise.all([openedBase.close(), openedDrive.close()]);
        releaseLock();
      },
    };
  } catch (error) {
    await base?.close();
    await drive?.close();
    releaseLock();
    throw error;
  }
}

/** What `spaceport dev` says about the data: where it is served, where it lives and how big it is. */
export function describeData(service: LocalDataService): string {
  const { items, files, bytesOnDisk } = service.usage();
  return (
    `data: Base and Drive on https://${service.host} (micros get DETA_BASE_HOST and DETA_DRIVE_HOST), ` +
    `kept in ${service.dataDir}: ${items} item${items === 1 ? '' : 's'}, ${files} file${files === 1 ? '' : 's'}, ${formatBytes(bytesOnDisk)} on disk`
  );
}

/**
 * The environment a micro needs to use the local data service unchanged: the hosts the SDKs read, and trust in the
 * local CA without losing the public roots. `caPath` and `bundlePath` are the files as the micro's processes see
 * them (inside the sandbox).
 */
export function dataVariables(host: string, caPath: string, bundlePath: string): Record<string, string> {
  return {
    ...dataHostVariables(host),
    // Node adds these to its built-in roots.
    NODE_EXTRA_CA_CERTS: caPath,
    // OpenSSL (Python's ssl, curl, Go) and requests replace their roots with these files: the bundle has both.
    SSL_CERT_FILE: bundlePath,
    REQUESTS_CA_BUNDLE: bundlePath,
  };
}

function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE' && port !== 0) {
        server.listen(0, '127.0.0.1');
        return;
      }
      reject(error);
    };
    server.on('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
