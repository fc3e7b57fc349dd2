/**
 * The `deta` name on PyPI: Deta's SDK is `deta` 1.x, but the index this machine's users see also lists releases of
 * another project under that name (0.2.54, 2026-10, an "anomaly detection" tool). An unpinned `deta` must never
 * install someone else's code: packaging constrains it to 1.x, and stops on a pin to anything else.
 */
import { PackagingError } from './steps';
import type { Micro } from '../spacefile/model';

/** The pip constraint that keeps `deta` to Deta's SDK, whether required directly or by another package. */
export const DETA_CONSTRAINT = 'deta>=1,<2\n';

/** PEP 503 normalisation: `Deta_SDK` and `deta-sdk` are one name. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * Throws a `PackagingError` naming the line when `requirements.txt` pins `deta` to a version that is not Deta's SDK.
 * Other lines, options (`-r`, `--index-url`) and comments are left to pip.
 */
export function checkDetaRequirement(micro: Micro, requirements: string): void {
  requirements.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
    if (name === undefined || normalise(name) !== 'deta') return;
    const pinned = /===?\s*([^\s,;]+)/.exec(line)?.[1];
    if (pinned === undefined || /^1(\.|$)/.test(pinned)) return;
    throw new PackagingError(
      micro,
      `requirements.txt:${index + 1} asks for deta ${pinned}, which is not Deta's SDK (its releases are 1.x; the ` +
        `PyPI name 'deta' now also carries another project's releases, such as 0.2.54): pin deta==1.2.0, or drop the ` +
        `pin to get the latest 1.x`,
    );
  });
}
