"""Sends a request to the app over a kept-alive loopback connection and buffers its response up to the body limit
(same behaviour as runtime-layer/node/app-client.ts, including one retry when a reused connection was stale)."""
import http.client
import socket
import time

from .limits import BODY_LIMIT_BYTES
from .results import AppResponse, header_map

# Below most servers' 5 s keep-alive timeout, so the adapter drops idle connections first.
IDLE_TIMEOUT_SECONDS = 4.0
STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


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
        self._connection = http.client.HTTPConnection(host, port)
        self._reusable = False
        self._last_used = 0.0

    def send(self, request, timeout_seconds=None):
        if self._reusable and time.monotonic() - self._last_used > IDLE_TIMEOUT_SECONDS:
            self.close()
        reused = self._reusable
        try:
            return self._attempt(request, timeout_seconds)
        except STALE_CONNECTION_ERRORS:
            self.close()
            if not reused:
                raise AppUnavailable(False)
        try:
            return self._attempt(request, timeout_seconds)
        except (AppUnavailable, *STALE_CONNECTION_ERRORS):
            # The app is gone (it crashed on this request): report what happened to the request, not to the retry.
            self.close()
            raise AppUnavailable(False)

    def close(self):
        self._connection.close()
        self._reusable = False

    def _attempt(self, request, timeout_seconds):
        connection = self._connection
        connection.timeout = timeout_seconds
        try:
            if connection.sock is None:
                connection.connect()
            else:
                connection.sock.settimeout(timeout_seconds)
            try:
                connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
                for name, value in request.headers:
                    connection.putheader(name, value)
                if request.body or request.method != "GET":
                    connection.putheader("content-length", str(len(request.body)))
            except ValueError:
                self.close()
                raise InvalidRequest()
            connection.endheaders(request.body)
            response = connection.getresponse()
            declared = response.getheader("content-length")
            if declared is not None and declared.isdigit() and int(declared) > BODY_LIMIT_BYTES:
                self.close()
                raise ResponseTooLarge()
            body = response.read(BODY_LIMIT_BYTES + 1)
            if len(body) > BODY_LIMIT_BYTES:
                self.close()
                raise ResponseTooLarge()
            if not response.isclosed():
                response.read()  # a body shorter than announced: finish the exchange
        except ConnectionRefusedError:
            self.close()
            raise AppUnavailable(True)
        except socket.timeout:
            self.close()
            raise AppTimedOut()
        except (http.client.HTTPException, OSError) as error:
            if isinstance(error, STALE_CONNECTION_ERRORS):
                raise
            self.close()
            raise AppUnavailable(False)
        self._reusable = not response.will_close
        if response.will_close:
            self.close()
        self._last_used = time.monotonic()
        return AppResponse(response.status, response.reason, header_map(response.getheaders()), body)
