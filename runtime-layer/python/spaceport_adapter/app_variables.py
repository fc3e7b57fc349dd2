"""The environment the app's server is started with: the function's own, plus the V8 heap flags Lambda's Node
runtimes would give a Node function of this memory size (same behaviour as runtime-layer/node/app-variables.ts).

Why: Lambda's managed Node runtime sizes V8 from memory on its own node command line, which the bootstrap (an exec
wrapper replacing the runtime client) never runs, and Lambda sets no NODE_OPTIONS. Without this, a micro's `node`
would get V8's default heap, sized from the host's memory rather than the function's. Only the app gets the flags:
the adapter and the shutdown extension keep their own small heaps."""


def node_heap_flags(memory_mb):
    """`--max-old-space-size=<m - m/10> --max-semi-space-size=<m/20>`, as Lambda's Node runtimes compute them."""
    return f"--max-old-space-size={memory_mb - memory_mb // 10} --max-semi-space-size={memory_mb // 20}"


def app_variables(env):
    """A copy of `env` with NODE_OPTIONS = the heap flags for AWS_LAMBDA_FUNCTION_MEMORY_SIZE, then the function's
    own NODE_OPTIONS (so the user's flags win: node takes the last of a repeated flag). Without a memory size
    (outside Lambda), no flags, as Lambda's runtime would give none."""
    app_env = dict(env)
    memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    if memory.isascii() and memory.isdigit():
        app_env["NODE_OPTIONS"] = " ".join(filter(None, [node_heap_flags(int(memory)), env.get("NODE_OPTIONS")]))
    return app_env
