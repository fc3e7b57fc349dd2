/**
 * Watches a micro's source directory and reports changes, debounced so that a save touching several files (or an
 * editor writing a temp file then renaming it) restarts the micro once.
 */
import { type FSWatcher, watch } from 'node:fs';

/** Directories whose churn never means the micro's code changed. */
const IGNORED_SEGMENTS = new Set(['node_modules', '.git', '__pycache__', '.spaceport', '.venv']);

export const DEFAULT_DEBOUNCE_MS = 150;

export function isIgnoredChange(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((segment) => IGNORED_SEGMENTS.has(segment));
}

/** Calls `onChange` once per burst of changes under `dir`; returns a function that stops watching. */
export function watchSource(dir: string, onChange: (file: string) => void, debounceMs = DEFAULT_DEBOUNCE_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  let lastFile = '';
  const watcher: FSWatcher = watch(dir, { recursive: true, persistent: false }, (_event, file) => {
    const name = file?.toString() ?? '';
    if (name && isIgnoredChange(name)) return;
    lastFile = name;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(lastFile), debounceMs);
  });
  // A watched directory that disappears (or a watch limit) must not crash the dev server.
  watcher.on('error', () => watcher.close());
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
