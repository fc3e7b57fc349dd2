/**
 * Why a dependency install failed, in the installer's own words, and what to do about it. npm ends most errors
 * with the command's usage text and pip with a traceback or its progress lines, so the last lines of the output
 * rarely hold the cause: these pick the lines that do and add the fix the cause calls for.
 */

/** The lines of `output` that say why the install failed, followed by what to do (when the cause is known). */
export type FailureExplainer = (output: string, sourceDir: string) => string;

interface Advice {
  readonly when: RegExp;
  readonly say: (sourceDir: string) => string;
}

function explain(reasons: readonly string[], advice: readonly Advice[], sourceDir: string): string {
  const text = reasons.join('\n');
  const todo = advice.filter(({ when }) => when.test(text)).map(({ say }) => `  -> ${say(sourceDir)}`);
  return [...reasons, ...todo].join('\n');
}

function unique(lines: readonly string[]): string[] {
  return lines.filter((line, index) => line === '' || lines.indexOf(line) === index);
}

const NPM_ADVICE: readonly Advice[] = [
  {
    when: /in sync|from lock file|lock file's .* does not satisfy|Invalid: lock file/,
    say: (dir) => `package-lock.json is out of date with package.json: run 'npm install' in ${dir} and commit the updated lock file`,
  },
  {
    when: /ERESOLVE/,
    say: (dir) =>
      `the dependencies' peer requirements conflict: align the versions npm names above, or, if the app is meant to ` +
      `install with --legacy-peer-deps, add 'legacy-peer-deps=true' to ${dir}/.npmrc (npm reads it while packaging)`,
  },
  {
    when: /E404|404 Not Found/,
    say: () => 'a package is not on the registry: check its name and version, or, for a private package, give npm access in .npmrc',
  },
  {
    when: /ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|network/i,
    say: () => 'npm could not reach its registry: check the network or proxy (npm config get registry), then synth again',
  },
  {
    when: /EBADENGINE|Unsupported engine/,
    say: () => "a package does not support the Node version packaging runs on: use the Node version of the micro's runtime",
  },
  {
    when: /ELIFECYCLE|gyp ERR|command failed/,
    say: () => 'an install script failed (often a native addon compiling): see its lines above',
  },
];

/**
 * npm's `npm error` / `npm ERR!` lines up to the usage text npm appends to some errors (`Usage:` and the
 * command's one-line description before it), without repeats; every line when npm printed none of those.
 */
export const explainNpmFailure: FailureExplainer = (output, sourceDir) => {
  const lines = output.split('\n');
  const errors = lines.map((line) => /^npm (?:error|ERR!)(?: (.*))?$/.exec(line)).filter((match) => match !== null);
  let reasons = errors.map((match) => (match[1] ?? '').trimEnd());
  const usage = reasons.indexOf('Usage:');
  if (usage >= 0) {
    // "<blank>, <what the command does>, <blank>, Usage:": cut from the description on.
    let cut = usage;
    while (cut > 0 && reasons[cut - 1] === '') cut--;
    reasons = reasons.slice(0, Math.max(0, cut - 1));
  }
  reasons = unique(reasons).filter((line, index, all) => line !== '' || (index > 0 && all[index - 1] !== ''));
  if (reasons.length === 0) reasons = lines.filter((line) => line.trim() !== '').slice(-20);
  return explain(
    reasons.map((line) => line.trimEnd()),
    NPM_ADVICE,
    sourceDir,
  );
};

const PIP_ADVICE: readonly Advice[] = [
  {
    when: /\(constraint\) deta/,
    say: () =>
      "packaging keeps deta to Deta's SDK, 1.x (the PyPI name also carries another project's releases): " +
      'require deta 1.x, or none of your requirements may ask for another deta',
  },
  {
    when: /No matching distribution found|Could not find a version that satisfies/,
    say: () =>
      "packaging installs binary wheels only, built for Lambda's Linux, CPU and the runtime's Python version: check the " +
      'name and version, and pin a version that publishes such a wheel (pure-Python packages always do)',
  },
  {
    when: /ResolutionImpossible|conflicting dependencies|Cannot install .* because these package versions have conflicting/,
    say: () => 'requirements.txt asks for versions that cannot be installed together: relax or align the pins pip names above',
  },
  {
    when: /Invalid requirement|Could not open requirements file/,
    say: () => 'requirements.txt has a line pip cannot read: fix the line it names',
  },
  {
    when: /Failed to establish a new connection|Name or service not known|Read timed out|ProxyError/,
    say: () => 'pip could not reach its index: check the network or proxy (pip config list), then synth again',
  },
];

/** pip's `ERROR:` lines and the explanation of a resolution conflict (its indented lines); every line when none. */
export const explainPipFailure: FailureExplainer = (output, sourceDir) => {
  const lines = output.split('\n').map((line) => line.trimEnd());
  let inConflict = false;
  let reasons = lines.filter((line) => {
    if (/^The conflict is caused by/.test(line)) return (inConflict = true);
    inConflict &&= /^\s+\S/.test(line);
    return inConflict || /^(ERROR|error):/.test(line);
  });
  if (reasons.length === 0) reasons = lines.filter((line) => line.trim() !== '').slice(-20);
  return explain(unique(reasons), PIP_ADVICE, sourceDir);
};
