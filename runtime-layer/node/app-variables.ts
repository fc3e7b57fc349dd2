/**
 * The environment the app's server is started with: the function's own, plus the V8 heap flags Lambda's Node
 * runtimes would give a Node function of this memory size.
 *
 * Why: Lambda's managed Node runtime sizes V8 from memory on its own node command line, which the bootstrap (an exec
 * wrapper replacing the runtime client) never runs; Lambda sets no NODE_OPTIONS. Without this, a micro's `node`
 * would get V8's default heap, sized from the host's memory rather than the function's, and run out of memory
 * differently than a Node function would. Only the app gets the flags: the adapter and the shutdown extension keep
 * their own small heaps. Mirrored by runtime-layer/python/spaceport_adapter/app_variables.py.
 */
import { nodeHeapFlags } from '../../lib/core/node-heap';

/**
 * `env` with NODE_OPTIONS = the heap flags for `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, then the function's own
 * NODE_OPTIONS (so the user's flags win: node takes the last of a repeated flag). Without a memory size (outside
 * Lambda), no flags, as Lambda's runtime would give none.
 */
export function appVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const memory = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '';
  if (!/^[0-9]+$/.test(memory)) return env;
  return { ...env, NODE_OPTIONS: [...nodeHeapFlags(Number(memory)), env.NODE_OPTIONS].filter(Boolean).join(' ') };
}
