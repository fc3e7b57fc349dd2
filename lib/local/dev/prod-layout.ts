/**
 * `spaceport dev --prod` runs a micro as the cloud does. For most micros that is their source directory as it is
 * (SvelteKit's `build/`, Nuxt's `.output/` run in place), but Next's production server exists only as the package
 * lays it out: `.next/standalone` at the root with `.next/static` and `public` beside it. Such a micro runs from a
 * copy laid out exactly as synth packages it, made again on every restart so a rebuild is picked up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameworkOutputs } from '../../packaging/framework-build';
import { copyIntoPackage } from '../../packaging/micro-code';
import type { Micro } from '../../spacefile/model';

export interface ProdLayout {
  /** The task root the micro runs from. */
  readonly dir: string;
  /** Lays the package out again from the source (after a rebuild). */
  refresh(): void;
  remove(): void;
}

/**
 * The laid-out copy `micro` runs from under `--prod`, or undefined when it runs from its source directory. Throws
 * the packaging error naming what is missing (Next without `output: 'standalone'`, or not built yet).
 */
export function prodLayout(micro: Micro, built: boolean): ProdLayout | undefined {
  const entries = frameworkOutputs(micro, micro.srcDir, built);
  if (!entries?.some((entry) => entry.from !== entry.to)) return undefined;
  // Under the system temp directory, not the app's .spaceport/, which the sandbox hides from micros.
  const dir = mkdtempSync(join(tmpdir(), `spaceport-prod-${micro.name}-`));
  const refresh = (): void => {
    const current = frameworkOutputs(micro, micro.srcDir, true) ?? [];
    rmSync(dir, { recursive: true, force: true });
    // Copied as packaging copies them (links resolved), so the layout holds what the function's code would.
    for (const { from, to } of current) copyIntoPackage(micro, join(micro.srcDir, from), join(dir, to));
  };
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    refresh();
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, refresh, remove };
}
