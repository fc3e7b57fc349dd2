// The tests a mutation run executes: only the module's own in-process tests (modules.mjs), without the root
// config's global setup, as none of them needs the build.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { moduleNamed } from './modules.mjs';

const module = moduleNamed(process.env.SPACEPORT_MUTATE_MODULE);

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: module.tests,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
