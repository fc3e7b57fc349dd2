"""The Lambda Runtime API client (`/2018-06-01`) over one kept-alive connection; `next` blocks without a timeout."""
import json
from typing import NamedTuple

from .http11 import Connection, Disconnected
from .log import log


class Invocation(NamedTuple):
    request_id: str
    deadline_ms: int
    function_arn: str
    trace_id: str
    event: bytes


class RuntimeApi:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._connection = Connection(host, int(port))
        self._host = ("host", address)

    def next(self):
        status, headers, body = self._call("GET", "/2018-06-01/runtime/invocation/next")
        if status != 200:
            raise RuntimeError(f"the Runtime API answered {status} to next: {body[:200].decode('utf-8', 'replace')}")
        return Invocation(
            request_id=headers.get("lambda-runtime-aws-request-id", ""),
            deadline_ms=int(headers.get("lambda-runtime-deadline-ms") or 0),
            function_arn=headers.get("lambda-runtime-invoked-function-arn", ""),
            trace_id=headers.get("lambda-runtime-trace-id", ""),
            event=body,
        )

    def respond(self, request_id, result):
        self._post(f"/2018-06-01/runtime/invocation/{request_id}/response", result, None)

    def fail(self, request_id, error_type, message):
        self._post(f"/2018-06-01/runtime/invocation/{request_id}/error", _error(error_type, message), error_type)

    def init_error(self, error_type, message):
        self._post("/2018-06-01/runtime/init/error", _error(error_type, message), error_type)

    def _post(self, path, payload, error_type):
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
        if error_type is not None:
            headers.append(("lambda-runtime-function-error-type", error_type))
        status, _, reply = self._call("POST", path, body, headers)
        if status != 202:
            # Nothing more can be done for this invocation (e.g. a result over 6 MB): say so in the function's logs.
            log(f"the Runtime API refused {path} ({status}): {reply[:300].decode('utf-8', 'replace')}")

    def _call(self, method, path, body=b"", headers=()):
        for attempt in (1, 2):
            try:
                response = self._connection.exchange(method, path, [self._host, *headers], body)
                return response.status, {k.lower(): v for k, v in response.headers}, response.body
            except (Disconnected, ConnectionResetError, BrokenPipeError):
                # The Runtime API closed the kept-alive connection: reconnect once.
                self._connection.close()
                if attempt == 2:
                    raise


def _error(error_type, message):
    return {"errorMessage": message, "errorType": error_type, "stackTrace": []}
