"""Spaceport's external Lambda extension (Python, standard library only): registers for SHUTDOWN and waits for it.
Lambda gives a function a shutdown phase (SIGTERM to the runtime, which the adapter forwards to the app, then
SIGKILL) only when an extension is registered; without one the runtime is killed with no signal. Started by
`extensions/<name>`, which passes the extension's file name: Lambda checks that it is the name registered.
Mirrors runtime-layer/node/shutdown-extension.ts."""
import os
import sys

from .http11 import Connection
from .log import log

EXTENSION_API = "/2020-01-01/extension"


def run(name):
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        raise RuntimeError("AWS_LAMBDA_RUNTIME_API is not set: the extension must run inside a Lambda execution environment")
    host, _, port = address.rpartition(":")
    connection = Connection(host, int(port))
    body = b'{"events":["SHUTDOWN"]}'
    registered = connection.exchange("POST", f"{EXTENSION_API}/register", [
        ("host", address), ("lambda-extension-name", name),
        ("content-type", "application/json"), ("content-length", str(len(body))),
    ], body)
    extension_id = registered.header("lambda-extension-identifier")
    if registered.status != 200 or not extension_id:
        raise RuntimeError(f"the Extensions API refused to register {name} ({registered.status}): "
                           f"{registered.body[:300].decode('utf-8', 'replace')}")
    while True:
        event = connection.exchange("GET", f"{EXTENSION_API}/event/next", [
            ("host", address), ("lambda-extension-identifier", extension_id),
        ])
        if event.status != 200:
            raise RuntimeError(f"the Extensions API answered {event.status} to next: "
                               f"{event.body[:300].decode('utf-8', 'replace')}")
        # Subscribed to SHUTDOWN only: the runtime has already been stopped, nothing is left to do. A substring test,
        # because importing json would add ~1.5 ms to every cold start.
        if b'"SHUTDOWN"' in event.body:
            return


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "spaceport-shutdown"
    try:
        run(name)
    except (OSError, RuntimeError, ValueError) as error:
        log(f"extension {name}: {error}")
        sys.exit(1)
