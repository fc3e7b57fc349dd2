"""Waiting for the app to listen (same rules as runtime-layer/node/readiness.ts): a probe every 10 ms and right
after the app prints, progress logs at 100 ms, 500 ms, 1 s, 2 s and 5 s, until it answers, exits or time runs out.
An app that ignores $PORT is found where its processes do listen, from 250 ms on, and used there, saying so."""
import socket
import time

from .http11 import Connection
from .listening_ports import listening_ports
from .log import log

POLL_SECONDS = 0.01
PROGRESS_MARKS_MS = (100, 500, 1000, 2000, 5000)
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
PROBE_TIMEOUT_SECONDS = 1.0
# When, and how often, to look for a port the app's processes listen on instead of $PORT.
OTHER_PORT_AFTER_SECONDS = 0.25
OTHER_PORT_EVERY_SECONDS = 0.1


def _tcp_probe(host, port):
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS).close()
        return True
    except OSError:
        return False


def _http_probe(host, port, path):
    connection = Connection(host, port)
    try:
        status = connection.exchange("GET", path, [("host", f"127.0.0.1:{port}")], timeout=PROBE_TIMEOUT_SECONDS).status
        return 100 <= status <= 499
    except (OSError, ValueError):
        return False
    finally:
        connection.close()


def probe(readiness, port):
    """The first loopback host on which the app is ready, or None."""
    for host in LOOPBACK_HOSTS:
        if _tcp_probe(host, port) if readiness.kind == "tcp" else _http_probe(host, port, readiness.path):
            return host
    return None


def _listening_elsewhere(app, readiness, port):
    """(host, port) of a port other than `port` on which the app's processes listen and the app is ready, or None."""
    if app.pid is None:
        return None
    for other in listening_ports(app.pid):
        if other != port:
            host = probe(readiness, other)
            if host is not None:
                return (host, other)
    return None


def wait_until_ready(app, readiness, port, timeout_ms):
    """("ready", (host, port)), ("exited", (code, signal)) or ("timeout", None)."""
    started = time.monotonic()
    next_mark = 0
    next_port_scan = started + OTHER_PORT_AFTER_SECONDS
    while True:
        app.output_seen.clear()
        host = probe(readiness, port)
        if host is not None:
            return ("ready", (host, port))
        if time.monotonic() >= next_port_scan:
            elsewhere = _listening_elsewhere(app, readiness, port)
            if elsewhere is not None:
                log(f"`{app.command}` listens on port {elsewhere[1]}, not on $PORT ({port}): sending its requests to "
                    f"{elsewhere[1]}. Have it listen on $PORT (e.g. --port $PORT) to start without this search")
                return ("ready", elsewhere)
            next_port_scan = time.monotonic() + OTHER_PORT_EVERY_SECONDS
        status = app.exit_status()
        if status is not None:
            return ("exited", status)
        elapsed_ms = (time.monotonic() - started) * 1000
        if elapsed_ms >= timeout_ms:
            return ("timeout", None)
        while next_mark < len(PROGRESS_MARKS_MS) and elapsed_ms >= PROGRESS_MARKS_MS[next_mark]:
            log(f"still waiting for `{app.command}` to listen on port {port} ({PROGRESS_MARKS_MS[next_mark]} ms)")
            next_mark += 1
        app.output_seen.wait(POLL_SECONDS)
