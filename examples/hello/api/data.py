"""Deta Base and Drive with the standard library, speaking exactly what Deta's Python SDK (`pip install deta`)
sends: a TLS connection to DETA_BASE_HOST / DETA_DRIVE_HOST, the project key as X-Api-Key, the project id taken
from the key. With the SDK installed the same calls read `Deta().Base("notes").put(...)`; the example keeps to the
standard library so it runs with nothing installed."""
import http.client
import json
import os
from urllib.parse import quote, quote_plus

KEY = os.environ["DETA_PROJECT_KEY"]
PROJECT = KEY.split("_")[0]


def _call(host, path, method, body=None, content_type=None):
    connection = http.client.HTTPSConnection(host, timeout=10)
    headers = {"X-Api-Key": KEY}
    if content_type:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status == 404:
        return None
    if response.status not in (200, 201, 202, 207):
        raise RuntimeError(f"{method} {path}: {response.status} {data.decode(errors='replace')}")
    return json.loads(data) if "application/json" in response.getheader("content-type", "") else data


class Base:
    def __init__(self, name):
        self.path = f"/v1/{PROJECT}/{name}"

    def _json(self, path, method, value=None):
        body = None if value is None else json.dumps(value)
        return _call(os.environ["DETA_BASE_HOST"], self.path + path, method, body, "application/json")

    def put(self, item):
        return self._json("/items", "PUT", {"items": [item]})["processed"]["items"][0]

    def get(self, key):
        return self._json("/items/" + quote(key, safe=""), "GET")

    def fetch(self, query=None, limit=1000):
        return self._json("/query", "POST", {"query": [query or {}], "limit": limit})["items"]


class Drive:
    def __init__(self, name):
        self.path = f"/v1/{PROJECT}/{name}"

    def _call(self, path, method, body=None, content_type=None):
        return _call(os.environ["DETA_DRIVE_HOST"], self.path + path, method, body, content_type)

    def put(self, name, data, content_type=None):
        # The SDK always uploads in parts of up to 10 MiB: start, send each part, complete.
        upload = self._call(f"/uploads?name={quote_plus(name)}", "POST")["upload_id"]
        chunk = 10 * 1024 * 1024
        for part, start in enumerate(range(0, len(data), chunk), start=1):
            self._call(f"/uploads/{upload}/parts?name={quote_plus(name)}&part={part}", "POST", data[start:start + chunk], content_type)
        self._call(f"/uploads/{upload}?name={quote_plus(name)}", "PATCH")
        return name

    def get(self, name):
        return self._call(f"/files/download?name={quote_plus(name)}", "GET")
