"""The Spaceport runtime adapter (Python): starts the micro's server, then turns each Lambda invocation into an
HTTP request to it and its response into the invocation result. Mirrors runtime-layer/node/main.ts."""
import atexit
import os
import signal
import sys
import time

from .app_client import AppTimedOut, AppUnavailable, InvalidRequest, ResponseTooLarge
from .app_server import AppServer, StartFailure
from .config import ConfigError, read_config
from .events import Action, Http, Refused, Unsupported, ascii_json, parse_event
from .log import log
from .results import refusal_response, to_result
from .runtime_api_client import RuntimeApi

# Time kept before the deadline to report a scheduled action that has not answered.
ACTION_DEADLINE_MARGIN_MS = 200
# The app's time after SIGTERM: Lambda gives the runtime 600 ms of the shutdown phase, and the adapter must exit within it.
SHUTDOWN_GRACE_SECONDS = 0.5
START_FAILED = "Spaceport.AppStartFailed"


def _upstream_failure(error):
    if isinstance(error, ResponseTooLarge):
        return 413, f"Payload too large: {error}"
    if isinstance(error, InvalidRequest):
        return 400, f"Bad request: {error}"
    if isinstance(error, AppUnavailable):
        return 502, f"Bad gateway: {error}"
    raise error


class Adapter:
    def __init__(self, api, config, server):
        self._api = api
        self._config = config
        self._server = server
        self._start_failure = None
        self._lambda_context_suffix = f',"env_config":{ascii_json(config.function_env)}}}'

    def loop(self):
        while True:
            invocation = self._api.next()
            if self._start_failure is not None:
                self._api.fail(invocation.request_id, START_FAILED, self._start_failure)
                sys.exit(1)
            self._handle(invocation)
            # Restart a crashed app now, before asking for the next event: on Lambda the environment freezes in next.
            if self._server.needs_check:
                try:
                    self._server.recover()
                except StartFailure as failure:
                    self._start_failure = str(failure)
                    log(failure.log_line)

    def _lambda_context(self, invocation):
        return (f'{{"request_id":{ascii_json(invocation.request_id)},"deadline":{invocation.deadline_ms},'
                f'"invoked_function_arn":{ascii_json(invocation.function_arn)},'
                f'"xray_trace_id":{ascii_json(invocation.trace_id)}{self._lambda_context_suffix}')

    def _handle(self, invocation):
        request_id = invocation.request_id
        parsed = parse_event(invocation.event, self._config.base_path, self._lambda_context(invocation))
        if isinstance(parsed, Unsupported):
            self._api.fail(request_id, parsed.error_type, parsed.message)
        elif isinstance(parsed, Refused):
            self._api.respond(request_id, to_result(parsed.format, refusal_response(parsed.status, parsed.message)))
        elif isinstance(parsed, Http):
            try:
                response = self._server.serve(parsed.request)
            except (ResponseTooLarge, InvalidRequest, AppUnavailable) as error:
                response = refusal_response(*_upstream_failure(error))
            self._api.respond(request_id, to_result(parsed.format, response))
        elif isinstance(parsed, Action):
            self._handle_action(invocation, parsed)

    def _handle_action(self, invocation, action):
        started = time.time()

        def elapsed_ms():
            return round((time.time() - started) * 1000)

        def failed(reason):
            # The run line's format is lib/core/action-log.ts's: `spaceport actions` reads it back from the logs.
            log(f"action {action.action_id}: failed in {elapsed_ms()} ms: {reason}")
            self._api.fail(invocation.request_id, "Spaceport.ActionFailed", f'Action "{action.action_id}" failed: {reason}')

        timeout_ms = invocation.deadline_ms - started * 1000 - ACTION_DEADLINE_MARGIN_MS
        try:
            response = self._server.serve(action.request, max(0.001, timeout_ms / 1000))
        except AppTimedOut:
            return failed(f"the app did not answer POST {action.request.target} before the invocation's deadline")
        except (AppUnavailable, ResponseTooLarge) as error:
            return failed(str(error))
        body = response.body.decode("utf-8", "replace")
        if response.status >= 400:
            return failed(f"the app answered {response.status}: {body[:200]}")
        log(f"action {action.action_id}: ok {response.status} in {elapsed_ms()} ms")
        self._api.respond(invocation.request_id, {"statusCode": response.status, "body": body})


def main():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        log("AWS_LAMBDA_RUNTIME_API is not set: the adapter must run inside a Lambda execution environment")
        sys.exit(1)
    api = RuntimeApi(address)
    try:
        config = read_config()
        if config.run is None:
            raise ConfigError("static micros (SPACEPORT_STATIC_DIR without SPACEPORT_RUN) are served by the Node "
                              "adapter: use a Node.js runtime for this micro")
        server = AppServer(config, config.run)
    except (ConfigError, StartFailure) as error:
        log(getattr(error, "log_line", str(error)))
        api.init_error(START_FAILED, str(error))
        sys.exit(1)
    atexit.register(server.kill)

    def on_sigterm(_signum, _frame):
        server.stop(SHUTDOWN_GRACE_SECONDS)
        os._exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        Adapter(api, config, server).loop()
    except (OSError, RuntimeError) as error:
        log(f"stopping: {error}")
        sys.exit(1)
