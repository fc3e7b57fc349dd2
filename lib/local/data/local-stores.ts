/**
 * The app's local Base and Drive stores opened outside `spaceport dev`, for `spaceport data import|export`: the
 * same journal stores under `.spaceport/data`, under the same lock, so an import never writes beside a running
 * `spaceport dev`.
 */
import { join } from 'node:path';
import { dataCatalog, type DataTarget } from '../../data/transfer';
import { lockDataDir } from './data-dir-lock';
import { DATA_DIR } from './data-service';
import { FileDriveStore } from './file-drive-store';
import { makeDirectoryDurably } from './journal';
import { JournalBaseStore } from './journal-base-store';

export interface LocalDataTarget extends DataTarget {
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Opens the stores of the app whose state directory is `stateDir`, for the project `projectId`. */
export async function openLocalStores(stateDir: string, projectId: string): Promise<LocalDataTarget> {
  const dataDir = join(stateDir, DATA_DIR);
  makeDirectoryDurably(dataDir);
  const release = lockDataDir(dataDir);
  let base: JournalBaseStore | undefined;
  try {
    base = await JournalBaseStore.open(dataDir);
    const drive = await FileDriveStore.open(dataDir);
    const opened = base;
    return {
      projectId,
      dataDir,
      base: opened,
      drive,
      catalog: dataCatalog(opened, drive),
      close: async () => {
        await Promise.all([opened.close(), drive.close()]);
        release();
      },
    };
  } catch (error) {
    await base?.close();
    release();
    throw error;
  }
}
