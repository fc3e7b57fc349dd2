"""The adapter's configuration, read once from the function's environment (same variables and messages as
runtime-layer/node/config.ts)."""
import os
from typing import NamedTuple

from .app_variables import app_variables

DEFAULT_PORT = 8080
DEFAULT_INIT_TIMEOUT_MS = 9800


class ConfigError(Exception):
    pass


class Readiness(NamedTuple):
    kind: str  # "tcp" or "http"
    path: str = ""


class AdapterConfig(NamedTuple):
    task_root: str
    run: str | None
    static_dir: str | None
    base_path: str
    port: int
    readiness: Readiness
    init_timeout_ms: int
    app_env: dict  # the environment the app is started with (app_variables), built once
    function_env: dict


def _positive_integer(env, name, fallback):
    text = env.get(name)
    if text is None or text == "":
        return fallback
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f'{name} must be a positive integer, got "{text}"')
    return value


def _readiness(text):
    if text is None or text in ("", "tcp"):
        return Readiness("tcp")
    if text.startswith("http:/"):
        return Readiness("http", text[len("http:"):])
    raise ConfigError(f'SPACEPORT_READINESS must be "tcp" or "http:/some/path", got "{text}"')


def _base_path(text):
    if text is None or text in ("", "/"):
        return ""
    if not text.startswith("/"):
        raise ConfigError(f'SPACEPORT_BASE_PATH must start with "/", got "{text}"')
    return text.rstrip("/")


def read_config(env=os.environ):
    task_root = env.get("LAMBDA_TASK_ROOT") or os.getcwd()
    run = env.get("SPACEPORT_RUN") or None
    static_dir = env.get("SPACEPORT_STATIC_DIR") or None
    if run is None and static_dir is None:
        raise ConfigError("neither SPACEPORT_RUN (a start command) nor SPACEPORT_STATIC_DIR (files to serve) is set")
    try:
        memory = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", ""))
    except ValueError:
        memory = 0
    return AdapterConfig(
        task_root=task_root,
        run=run,
        static_dir=None if static_dir is None else os.path.join(task_root, static_dir),
        base_path=_base_path(env.get("SPACEPORT_BASE_PATH")),
        port=_positive_integer(env, "PORT", DEFAULT_PORT),
        readiness=_readiness(env.get("SPACEPORT_READINESS")),
        init_timeout_ms=_positive_integer(env, "SPACEPORT_INIT_TIMEOUT_MS", DEFAULT_INIT_TIMEOUT_MS),
        app_env=app_variables(env),
        function_env={
            "function_name": env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            "memory": memory,
            "version": env.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
            "log_stream": env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""),
            "log_group": env.get("AWS_LAMBDA_LOG_GROUP_NAME", ""),
        },
    )
