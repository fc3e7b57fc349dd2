"""The api micro: a standard-library Python HTTP server on $PORT, mounted at /api by the Spacefile."""
import json
import os
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from data import Base, Drive

# /tmp is the only writable directory, as on Deta Space and Lambda.
ACTION_LOG = "/tmp/hello-api-actions.log"
# The app's data: note records in Deta Base, each note's text as a file in Deta Drive.
notes = Base("notes")
texts = Drive("note-texts")


def recorded_actions():
    try:
        with open(ACTION_LOG, encoding="utf-8") as log:
            return [json.loads(line) for line in log if line.strip()]
    except FileNotFoundError:
        return []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/actions":
            return self.send_json(200, {"runs": recorded_actions()})
        if url.path == "/notes":
            return self.send_json(200, {"notes": notes.fetch()})
        if url.path.startswith("/notes/"):
            text = texts.get(unquote(url.path[len("/notes/"):]) + ".txt")
            if text is None:
                return self.send_json(404, {"error": "no such note"})
            return self.send_json(200, {"text": text.decode()})
        # The micro sees paths relative to its own: /api/items arrives as /items.
        self.send_json(200, {
            "micro": os.environ.get("DETA_SPACE_APP_MICRO_NAME"),
            "path": url.path,
            "query": parse_qs(url.query),
            "client": self.headers.get("X-Forwarded-For"),
        })

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if urlsplit(self.path).path == "/__space/v0/actions":
            event = payload["event"]
            record = {"id": event["id"], "trigger": event["trigger"], "at": datetime.now(timezone.utc).isoformat()}
            with open(ACTION_LOG, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
            print(f"action {event['id']} ran at {record['at']}", flush=True)
            return self.send_json(200, {"ok": True, **record})
        if urlsplit(self.path).path == "/notes":
            note = notes.put({"title": payload["title"], "at": datetime.now(timezone.utc).isoformat()})
            texts.put(note["key"] + ".txt", payload.get("text", "").encode(), "text/plain")
            return self.send_json(201, note)
        self.send_json(200, {"echo": payload})

    def log_message(self, format, *args):
        print(f"{self.command} {self.path}", flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"api listening on {port}", flush=True)
    server.serve_forever()
