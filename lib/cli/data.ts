/**
 * `spaceport data import <export.zip|dir>` and `spaceport data export <out.zip>`: the app's Deta Base and Drive data
 * in and out of the local store or, with `--deployed`/`--stack`, the deployed app's table and bucket, in the layout of
 * Deta Space's exports, so data exported from Space comes home and moves between local and cloud.
 */
import { existsSync } from 'node:fs';
import { ArchiveError, openArchive } from '../data/archive';
import { exportArchive, importArchive, type DataTarget, type ImportReport, type TransferProgress } from '../data/transfer';
import { openLocalStores } from '../local/data/local-stores';
import { loadOrCreateProjectKey } from '../local/project-key-file';
import { DeployedAppError } from '../operate/aws-errors';
import { deployedDataTarget } from '../operate/deployed-data';
import { stateDirFor } from '../local/state';
import { defineCommand, loadCommandSpacefile, usageError } from './arguments';
import { UsageError } from '../core/errors';
import { formatBytes } from '../core/format-bytes';
import type { Command } from './command';
import { DEPLOYED_TARGET_OPTIONS, deployedTarget } from './deployed-target';

const COMMAND_LINE = {
  summary: "Import a Deta Space data export into the app's Base and Drive (local, or deployed), or export them to one",
  usage: 'data import <export.zip|dir> [--overwrite] [--dry-run] | export <out.zip>  [--spacefile <path>] [--deployed | --stack <name>]',
  arguments: {
    'import <export.zip|dir>': 'bases/<base>.json and drives/<drive>/<files> from a Space export, into the app',
    'export <out.zip>': 'every live item and file of the app, in the same layout',
  },
  options: {
    ...DEPLOYED_TARGET_OPTIONS,
    spacefile: { type: 'string', value: '<path>', description: "the app's Spacefile (default: ./Spacefile): its .spaceport/ holds the local data" },
    deployed: { type: 'boolean', description: "the deployed app's DynamoDB table and S3 bucket (your AWS credentials), not the local store" },
    overwrite: { type: 'boolean', description: 'import: replace items and files that exist (default: keep them and report them)' },
    'dry-run': { type: 'boolean', description: 'import: check the export and report what would happen; write nothing' },
  },
} as const;

/** How often progress is printed while importing. */
const PROGRESS_INTERVAL_MS = 1000;

export const dataCommand: Command = defineCommand(COMMAND_LINE, async ({ positionals, values }) => {
  const [verb, path, ...extra] = positionals;
  if ((verb !== 'import' && verb !== 'export') || path === undefined || extra.length > 0) {
    throw usageError(COMMAND_LINE, verb === 'import' || verb === 'export' ? `'data ${verb}' takes one path` : 'expected import or export');
  }
  if (verb === 'export' && (values.overwrite || values['dry-run'])) throw new UsageError('--overwrite and --dry-run apply to data import');
  const target = values.deployed || values.stack !== undefined ? await openDeployed(values) : await openLocal(values.spacefile ?? 'Spacefile');
  try {
    if (verb === 'export') {
      if (existsSync(path)) throw new UsageError(`${path} exists; give a new file name (an export never overwrites)`);
      const summary = await exportArchive(target, path);
      process.stderr.write(
        `Exported ${summary.items} items in ${summary.bases} bases and ${summary.files} files (${formatBytes(summary.bytes)}) to ${path}\n`,
      );
      return 0;
    }
    const archive = await openArchive(path).catch(asUsageError);
    try {
      const started = Date.now();
      const report = await importArchive(archive, target, {
        overwrite: values.overwrite,
        dryRun: values['dry-run'],
        onProgress: progressPrinter(started),
      }).catch(asUsageError);
      process.stdout.write(formatReport(report, target.where, Date.now() - started));
      return report.bases.some((base) => base.failed.length > 0) || report.drives.some((drive) => drive.failed.length > 0) ? 1 : 0;
    } finally {
      archive.close();
    }
  } finally {
    await target.close();
  }
});

interface OpenTarget extends DataTarget {
  readonly where: string;
  close(): void | Promise<void>;
}

async function openLocal(spacefile: string): Promise<OpenTarget> {
  const app = loadCommandSpacefile(spacefile);
  const projectId = loadOrCreateProjectKey(app.rootDir).split('_')[0]!;
  try {
    const target = await openLocalStores(stateDirFor(app.rootDir), projectId);
    return { ...target, where: target.dataDir, close: () => target.close() };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function openDeployed(values: { spacefile?: string; stack?: string; region?: string }): Promise<OpenTarget> {
  const { app } = await deployedTarget(values);
  try {
    return deployedDataTarget(app);
  } catch (error) {
    throw error instanceof DeployedAppError ? new UsageError(error.message) : error;
  }
}

function asUsageError(error: unknown): never {
  if (error instanceof ArchiveError) throw new UsageError(error.message);
  throw error;
}

/** Prints items/s, bytes/s and the time left at most once a second, on one line in a terminal. */
function progressPrinter(started: number): (progress: TransferProgress) => void {
  let printed = started;
  return (progress) => {
    const now = Date.now();
    const finished = progress.items === progress.itemsTotal && progress.bytes === progress.bytesTotal;
    if (now - printed < PROGRESS_INTERVAL_MS && !finished) return;
    printed = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const itemRate = progress.items / seconds;
    const byteRate = progress.bytes / seconds;
    const left = Math.max(
      itemRate > 0 ? (progress.itemsTotal - progress.items) / itemRate : 0,
      byteRate > 0 ? (progress.bytesTotal - progress.bytes) / byteRate : 0,
    );
    const line =
      `import: ${progress.items}/${progress.itemsTotal} items, ${formatBytes(progress.bytes)}/${formatBytes(progress.bytesTotal)}, ` +
      `${Math.round(itemRate)} items/s, ${formatBytes(byteRate)}/s, ${finished ? 'done' : `about ${Math.ceil(left)} s left`}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K${finished ? '\n' : ''}` : `${line}\n`);
  };
}

function formatReport(report: ImportReport, where: string, elapsedMs: number): string {
  const lines: string[] = [
    report.dryRun
      ? `Dry run: nothing was written to ${where}. An import would do this:`
      : `Imported into ${where} in ${(elapsedMs / 1000).toFixed(1)} s:`,
  ];
  const verb = report.dryRun ? 'to write' : 'written';
  for (const base of report.bases) {
    const parts = [`${base.written} items ${verb}`];
    if (base.skipped.length) parts.push(`${base.skipped.length} kept (they exist; --overwrite replaces them): ${sample(base.skipped)}`);
    if (base.expired.length) parts.push(`${base.expired.length} expired, not imported: ${sample(base.expired)}`);
    if (base.failed.length)
      parts.push(
        `${base.failed.length} FAILED: ${base.failed
          .slice(0, 3)
          .map((f) => `${f.key} (${f.reason})`)
          .join(', ')}`,
      );
    lines.push(`  base ${base.base}: ${parts.join('; ')}`);
  }
  for (const drive of report.drives) {
    const parts = [`${drive.written} files ${verb} (${formatBytes(drive.bytes)})`];
    if (drive.skipped.length)
      parts.push(
        `${drive.skipped.length} kept: ${drive.skipped
          .slice(0, 3)
          .map((s) => `${s.name} (${s.reason})`)
          .join(', ')}`,
      );
    if (drive.failed.length)
      parts.push(
        `${drive.failed.length} FAILED: ${drive.failed
          .slice(0, 3)
          .map((f) => `${f.name} (${f.reason})`)
          .join(', ')}`,
      );
    lines.push(`  drive ${drive.drive}: ${parts.join('; ')}`);
  }
  if (report.bases.length === 0 && report.drives.length === 0) lines.push('  the export holds no bases/ and no drives/');
  if (report.ignored.length) lines.push(`  ignored (not bases/*.json or drives/<drive>/...): ${sample(report.ignored)}`);
  return lines.join('\n') + '\n';
}

function sample(values: readonly string[]): string {
  return values.slice(0, 5).join(', ') + (values.length > 5 ? ', ...' : '');
}
