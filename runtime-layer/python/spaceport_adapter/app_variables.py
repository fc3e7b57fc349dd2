"""The environment the app's server is started with (same rules as runtime-layer/node/app-variables.ts, which
says why): the function's own, plus the V8 heap flags Lambda's Node runtimes would give a Node function of this
memory size, the port variables servers started without a port read, and the paths that put console scripts (a
local virtualenv's first, packaged dependencies' after the system's) on PATH."""
import os

# Variables servers read their port from when started without one (gunicorn reads PORT itself).
PORT_VARIABLES = ("UVICORN_PORT", "FLASK_RUN_PORT")
# Virtualenv directory names, in the order they are looked for.
VIRTUALENV_DIRS = (".venv", "venv", ".env")


def node_heap_flags(memory_mb):
    """`--max-old-space-size=<m - m/10> --max-semi-space-size=<m/20>`, as Lambda's Node runtimes compute them."""
    return f"--max-old-space-size={memory_mb - memory_mb // 10} --max-semi-space-size={memory_mb // 20}"


def find_virtualenv(task_root):
    """The virtualenv in `task_root`, if any: a directory with `pyvenv.cfg`."""
    for name in VIRTUALENV_DIRS:
        candidate = os.path.join(task_root, name)
        if os.path.exists(os.path.join(candidate, "pyvenv.cfg")):
            return candidate
    return None


def _join_paths(*parts):
    return ":".join(part for part in parts if part)


def app_variables(env, task_root):
    """A copy of `env` with the heap flags (then the function's own NODE_OPTIONS, which win), the port variables and
    the script paths. Without a memory size (outside Lambda), no heap flags, as Lambda's runtime would give none."""
    app_env = dict(env)
    memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    if memory.isascii() and memory.isdigit():
        app_env["NODE_OPTIONS"] = " ".join(filter(None, [node_heap_flags(int(memory)), env.get("NODE_OPTIONS")]))
    if env.get("PORT"):
        for name in PORT_VARIABLES:
            app_env[name] = env["PORT"]
    virtualenv = find_virtualenv(task_root)
    app_env["PATH"] = _join_paths(virtualenv and os.path.join(virtualenv, "bin"), env.get("PATH"), os.path.join(task_root, "bin"))
    if virtualenv:
        app_env["VIRTUAL_ENV"] = virtualenv
    app_env["PYTHONPATH"] = _join_paths(task_root, env.get("PYTHONPATH"))
    return app_env
