"""The app's server as the adapter uses it: started and waited for, sent requests, restarted after a crash
(same behaviour and messages as runtime-layer/node/app-server.ts)."""
import time

from .app_client import AppClient, AppUnavailable
from .app_process import AppProcess
from .log import log
from .readiness import probe, wait_until_ready


class StartFailure(Exception):
    """The app did not become ready; str() carries its output's tail for the init error."""

    def __init__(self, summary, output_tail):
        super().__init__(f"{summary}.\nLast output:\n{output_tail or '(none)'}")
        # One line for the logs, where the app's own output already stands.
        self.log_line = f"{summary} (its output is above)"


# How long a restart waits for a process that stopped accepting connections to finish exiting.
EXIT_WAIT_SECONDS = 0.1


def _describe_exit(status):
    code, signal_name = status
    return f"was killed by {signal_name}" if signal_name else f"exited with code {code}"


def _start_app(config, command):
    app = AppProcess(command, config.task_root, config.app_env)
    outcome, detail = wait_until_ready(app, config.readiness, config.port, config.init_timeout_ms)
    if outcome == "ready":
        host, port = detail
        return app, AppClient(host, port), port
    if config.readiness.kind == "tcp":
        what = f"listening on port {config.port}"
    else:
        what = f"answering GET {config.readiness.path} on port {config.port}"
    if outcome == "exited":
        summary = f"`{command}` {_describe_exit(detail)} before {what}"
    else:
        summary = f"`{command}` was not {what} within {config.init_timeout_ms} ms (still running)"
        app.stop(0.5)
    raise StartFailure(summary, app.output_tail())


class AppServer:
    def __init__(self, config, command):
        self._config = config
        self._command = command
        # Set after a failed exchange: check the app before the next invocation.
        self._suspect = False
        # The port the app listens on: $PORT, or where it chose to.
        self._process, self._client, self._port = _start_app(config, command)

    @property
    def needs_check(self):
        return self._suspect or self._process.exit_status() is not None

    def serve(self, request, timeout_seconds=None):
        if self._process.exit_status() is not None:
            self.recover()
        try:
            return self._client.send(request, timeout_seconds)
        except AppUnavailable:
            self._suspect = True
            raise

    def recover(self):
        """Restarts the app if it exited or no longer accepts connections; raises StartFailure if it cannot start."""
        self._suspect = False
        current = self._process
        if current.exit_status() is None and probe(self._config.readiness, self._port) is not None:
            return
        # A crashing app may still be on its way out: wait a moment so the log can say how it ended.
        deadline = time.monotonic() + EXIT_WAIT_SECONDS
        while current.exit_status() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        status = current.exit_status()
        log(f"`{self._command}` {_describe_exit(status) if status else 'stopped accepting connections'}: restarting it")
        current.kill()
        self._client.close()
        self._process, self._client, self._port = _start_app(self._config, self._command)

    def stop(self, grace_seconds):
        self._process.stop(grace_seconds)

    def kill(self):
        self._process.kill()
