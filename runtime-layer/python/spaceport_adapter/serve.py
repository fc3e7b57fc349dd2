"""Serve a module's WSGI or ASGI app on $PORT: `python3 -m spaceport_adapter.serve main:app`.

This is the start command of a Python micro without `run` (Deta's fallback: `main.py` exposing `app`). WSGI apps
(Flask, Bottle, plain functions) run on the standard library's wsgiref with a thread per connection and
HTTP/1.1 keep-alive; ASGI apps (FastAPI, Starlette) run on uvicorn, which the app must list in its requirements.
"""
import importlib
import inspect
import io
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

USAGE = "usage: python3 -m spaceport_adapter.serve module:attribute  (for example main:app)"


class UsageError(Exception):
    pass


def load_app(spec, directory):
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f'"{spec}" is not module:attribute. {USAGE}')
    sys.path.insert(0, directory)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise UsageError(f"no module {module_name} in {directory} (expected {module_name}.py exposing {attribute})") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise UsageError(f"{module_name}.py has no attribute {attribute}: define the app as `{attribute} = ...`") from None


def is_asgi(app):
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else (app.__call__ if callable(app) else None)
    return inspect.iscoroutinefunction(call)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _ResponseHandler(ServerHandler):
    def cleanup_headers(self):
        super().cleanup_headers()
        # Without a length the body ends when the connection closes: say so, and close it.
        if "Content-Length" not in self.headers:
            self.headers["Connection"] = "close"
            self.request_handler.close_connection = True


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler serves one request per connection; this one keeps connections alive (HTTP/1.1)."""

    protocol_version = "HTTP/1.1"

    def handle(self):
        self.close_connection = True
        self._handle_one()
        while not self.close_connection:
            self._handle_one()

    def _handle_one(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            return
        # The body is read up front so an app that reads wsgi.input to the end cannot block the kept-alive socket.
        length = int(self.headers.get("Content-Length") or 0)
        body = io.BytesIO(self.rfile.read(length) if length > 0 else b"")
        handler = _ResponseHandler(body, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())


def serve_wsgi(app, port):
    server = _Server(("127.0.0.1", port), _RequestHandler)
    server.set_app(app)
    print(f"serving WSGI app on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


def serve_asgi(app, spec, port):
    try:
        import uvicorn
    except ImportError:
        raise UsageError(f"{spec} is an ASGI app, which needs uvicorn: add uvicorn to requirements.txt") from None
    uvicorn.run(app, host="127.0.0.1", port=port)


def main(argv):
    try:
        if len(argv) != 1:
            raise UsageError(USAGE)
        port = int(os.environ.get("PORT") or 8080)
        app = load_app(argv[0], os.getcwd())
        if is_asgi(app):
            serve_asgi(app, argv[0], port)
        else:
            serve_wsgi(app, port)
    except UsageError as error:
        print(f"spaceport_adapter.serve: {error}", file=sys.stderr, flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
