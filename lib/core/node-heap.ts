/**
 * The V8 heap flags Lambda's managed Node.js runtimes put on their node command line for a memory size:
 * old space = memory - memory/10, semi space = memory/20 (`--max-old-space-size=461 --max-semi-space-size=25` at
 * 512 MB). Shared by the emulator (the managed runtime's command line) and the adapter (the app's NODE_OPTIONS).
 */
export function nodeHeapFlags(memoryMb: number): string[] {
  return [`--max-old-space-size=${memoryMb - Math.floor(memoryMb / 10)}`, `--max-semi-space-size=${Math.floor(memoryMb / 20)}`];
}
