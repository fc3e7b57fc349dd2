/** Pure-Python wheels built on the spot, so packaging tests install "PyPI packages" offline (PIP_NO_INDEX). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface WheelSpec {
  readonly name: string;
  readonly version: string;
  /** Module files by path inside the wheel. */
  readonly files?: Readonly<Record<string, string>>;
  /** `script = module:function` console scripts. */
  readonly consoleScripts?: Readonly<Record<string, string>>;
}

const WRITE_WHEEL = `
import json, sys, zipfile
path, spec = sys.argv[1], json.loads(sys.argv[2])
info = f"{spec['name'].replace('-', '_')}-{spec['version']}.dist-info"
files = dict(spec.get("files", {}))
files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {spec['name']}\\nVersion: {spec['version']}\\n"
files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: spaceport-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
scripts = spec.get("consoleScripts", {})
if scripts:
    files[f"{info}/entry_points.txt"] = "[console_scripts]\\n" + "".join(f"{k} = {v}\\n" for k, v in scripts.items())
with zipfile.ZipFile(path, "w") as wheel:
    for name, text in files.items():
        wheel.writestr(name, text)
    wheel.writestr(f"{info}/RECORD", "".join(f"{name},,\\n" for name in files) + f"{info}/RECORD,,\\n")
`;

/** Writes `<name>-<version>-py3-none-any.whl` into `dir` and returns its path. */
export function buildWheel(dir: string, spec: WheelSpec): string {
  const path = join(dir, `${spec.name.replace(/-/g, '_')}-${spec.version}-py3-none-any.whl`);
  execFileSync('python3', ['-c', WRITE_WHEEL, path, JSON.stringify(spec)]);
  return path;
}
