"""A minimal HTTP/1.1 client over one kept-alive socket: what the adapter needs from http.client (Content-Length,
chunked and close-delimited bodies) without importing the email package, which costs more memory than the rest
of the adapter. Header rules are Node's, so both adapters refuse the same requests."""
import re
import socket

# Node's rules (validateHeaderName / checkInvalidHeaderChar). A token is matched whole (fullmatch): Python's `$`
# would also let a final newline through, which JavaScript's does not.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
INVALID_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")
INVALID_TARGET = re.compile(r"[^\x21-\xff]")
MAX_LINE = 65536


class Disconnected(ConnectionResetError):
    """The server closed the connection before a complete response."""


class BodyTooLarge(Exception):
    pass


class Response:
    __slots__ = ("status", "reason", "headers", "body", "will_close")

    def __init__(self, status, reason, headers, body, will_close):
        self.status = status
        self.reason = reason
        self.headers = headers  # [(name, value)] as received
        self.body = body
        self.will_close = will_close

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class Connection:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self._socket = None
        self._reader = None

    @property
    def connected(self):
        return self._socket is not None

    def close(self):
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
        self._socket = self._reader = None

    def exchange(self, method, target, headers, body=b"", timeout=None, limit=None):
        """Sends one request and reads its response; raises ValueError for a request HTTP/1.1 cannot carry."""
        head = _encode_head(method, target, headers)
        if self._socket is None:
            self._socket = socket.create_connection((self.host, self.port), timeout=timeout)
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._reader = self._socket.makefile("rb")
        self._socket.settimeout(timeout)
        self._socket.sendall(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self._socket.sendall(body)
        return self._read_response(method, limit)

    def _read_response(self, method, limit):
        while True:
            status_line = self._line()
            if not status_line:
                raise Disconnected("the server closed the connection without answering")
            parts = status_line.decode("latin-1").rstrip("\r\n").split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                raise Disconnected(f"malformed status line {status_line[:80]!r}")
            status = int(parts[1])
            headers = self._headers()
            if status >= 200 or status == 101:
                break  # 1xx interim responses are skipped
        version = parts[0]
        reason = parts[2] if len(parts) > 2 else ""
        connection = ",".join(v for k, v in headers if k.lower() == "connection").lower()
        will_close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
        length = None
        chunked = False
        for key, value in headers:
            lower = key.lower()
            if lower == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif lower == "content-length" and value.strip().isdigit():
                length = int(value)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif chunked:
            body = self._chunked(limit)
        elif length is not None:
            if limit is not None and length > limit:
                raise BodyTooLarge()
            body = self._exactly(length)
        else:
            body = self._until_close(limit)
            will_close = True
        if will_close:
            self.close()
        return Response(status, reason, headers, body, will_close)

    def _line(self):
        line = self._reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise Disconnected("a header line is too long")
        return line

    def _headers(self):
        headers = []
        while True:
            line = self._line()
            if not line:
                raise Disconnected("the server closed the connection in the middle of the headers")
            if line in (b"\r\n", b"\n"):
                return headers
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))

    def _exactly(self, length):
        data = self._reader.read(length)
        if len(data) < length:
            raise Disconnected("the server closed the connection in the middle of the body")
        return data

    def _chunked(self, limit):
        chunks = []
        size = 0
        while True:
            line = self._line()
            if not line:
                raise Disconnected("the server closed the connection in the middle of the body")
            chunk_size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if chunk_size == 0:
                while self._line() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            size += chunk_size
            if limit is not None and size > limit:
                raise BodyTooLarge()
            chunks.append(self._exactly(chunk_size))
            self._line()

    def _until_close(self, limit):
        data = self._reader.read() if limit is None else self._reader.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise BodyTooLarge()
        return data


def _encode_head(method, target, headers):
    if not TOKEN.fullmatch(method) or INVALID_TARGET.search(target):
        raise ValueError("invalid method or target")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers:
        if not TOKEN.fullmatch(name) or INVALID_VALUE.search(value):
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")
