"""Sends a request to the app over a kept-alive loopback connection and buffers its response up to the body limit
(same behaviour as runtime-layer/node/app-client.ts, including one retry when a reused connection was stale)."""
import time

from .constants import BODY_LIMIT_BYTES
from .http11 import BodyTooLarge, Connection, Disconnected
from .results import AppResponse, header_map

# Below most servers' 5 s keep-alive timeout, so the adapter drops idle connections first.
IDLE_TIMEOUT_SECONDS = 4.0
STALE_CONNECTION_ERRORS = (Disconnected, ConnectionResetError, BrokenPipeError)


class AppUnavailable(Exception):
    def __init__(self, refused):
        super().__init__("the app refused the connection" if refused
                         else "the app closed the connection before answering")


class ResponseTooLarge(Exception):
    def __init__(self):
        super().__init__(f"the app's response body is over the limit of {BODY_LIMIT_BYTES} bytes (5.5 MB)")


class AppTimedOut(Exception):
    pass


class InvalidRequest(Exception):
    def __init__(self):
        super().__init__("a header or the method holds characters HTTP/1.1 cannot carry")


class AppClient:
    def __init__(self, host, port):
        self._connection = Connection(host, port)
        self._last_used = 0.0

    def send(self, request, timeout_seconds=None):
        if self._connection.connected and time.monotonic() - self._last_used > IDLE_TIMEOUT_SECONDS:
            self._connection.close()
        reused = self._connection.connected
        try:
            return self._attempt(request, timeout_seconds)
        except STALE_CONNECTION_ERRORS:
            self._connection.close()
            if not reused:
                raise AppUnavailable(False) from None
        try:
            return self._attempt(request, timeout_seconds)
        except (AppUnavailable, *STALE_CONNECTION_ERRORS):
            # The app is gone (it crashed on this request): report what happened to the request, not to the retry.
            self._connection.close()
            raise AppUnavailable(False) from None

    def close(self):
        self._connection.close()

    def _attempt(self, request, timeout_seconds):
        headers = request.headers
        if request.body or request.method != "GET":
            headers = headers + [("content-length", str(len(request.body)))]
        try:
            response = self._connection.exchange(request.method, request.target, headers, request.body,
                                                 timeout_seconds, BODY_LIMIT_BYTES)
        except ValueError:
            raise InvalidRequest() from None
        except BodyTooLarge:
            self._connection.close()
            raise ResponseTooLarge() from None
        except ConnectionRefusedError:
            self._connection.close()
            raise AppUnavailable(True) from None
        except TimeoutError:
            self._connection.close()
            raise AppTimedOut() from None
        except STALE_CONNECTION_ERRORS:
            raise
        except OSError:
            self._connection.close()
            raise AppUnavailable(False) from None
        self._last_used = time.monotonic()
        return AppResponse(response.status, response.reason, header_map(response.headers), response.body)
