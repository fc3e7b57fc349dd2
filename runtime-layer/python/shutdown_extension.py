"""Spaceport's external Lambda extension (Python, standard library only): registers for SHUTDOWN and waits for it.
Lambda gives a function a shutdown phase (SIGTERM to the runtime, which the adapter forwards to the app, then
SIGKILL) only when an extension is registered; without one the runtime is killed with no signal. Started by
`extensions/<name>` with the extension's file name as argument: Lambda checks that it is the name registered.
Mirrors runtime-layer/node/shutdown-extension.ts.

Lambda starts the runtime only once its extensions have registered, so this start is paid on every cold start:
it imports nothing but `_socket` (the `socket` module and `re` would double its start time) and speaks just
enough HTTP/1.1, one `Connection: close` request at a time, so a response is whatever arrives before EOF (its
body possibly chunked)."""
import _socket
import os
import sys

EXTENSION_API = "/2020-01-01/extension"


def request(address, method, path, headers, body=b""):
    """(status, lower-cased headers, body) of one request to the Extensions API."""
    host, _, port = address.rpartition(":")
    fields = "".join(f"{name}: {value}\r\n" for name, value in headers)
    head = f"{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n{fields}\r\n"
    connection = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        connection.connect((host, int(port)))
        connection.sendall(head.encode("latin-1") + body)
        chunks = []
        while True:  # blocks for as long as the platform has no event, as the contract requires
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        connection.close()
    response_head, _, response_body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = response_head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")
    if len(status) < 2 or not status[1].isdigit():
        raise ConnectionError(f"the Extensions API gave no HTTP answer to {method} {path}")
    response_headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    if "chunked" in response_headers.get("transfer-encoding", "").lower():
        response_body = dechunk(response_body)
    return int(status[1]), response_headers, response_body


def dechunk(body):
    chunks = []
    while True:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return b"".join(chunks)
        chunks.append(rest[:size])
        body = rest[size + 2:]


def run(name):
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        raise RuntimeError("AWS_LAMBDA_RUNTIME_API is not set: the extension must run inside a Lambda execution environment")
    status, headers, body = request(address, "POST", f"{EXTENSION_API}/register",
                                    [("Lambda-Extension-Name", name), ("Content-Type", "application/json")],
                                    b'{"events":["SHUTDOWN"]}')
    extension_id = headers.get("lambda-extension-identifier")
    if status != 200 or not extension_id:
        raise RuntimeError(f"the Extensions API refused to register {name} ({status}): {body[:300].decode('utf-8', 'replace')}")
    while True:
        status, _, body = request(address, "GET", f"{EXTENSION_API}/event/next", [("Lambda-Extension-Identifier", extension_id)])
        if status != 200:
            raise RuntimeError(f"the Extensions API answered {status} to next: {body[:300].decode('utf-8', 'replace')}")
        # Subscribed to SHUTDOWN only: the runtime has already been stopped, nothing is left to do. A substring
        # test, because importing json would add to every cold start.
        if b'"SHUTDOWN"' in body:
            return


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "spaceport-shutdown"
    try:
        run(name)
    except (OSError, RuntimeError, ValueError) as error:
        sys.stderr.write(f"[spaceport] extension {name}: {error}\n")
        sys.exit(1)


main()
