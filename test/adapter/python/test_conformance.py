"""Every fixture of runtime-layer/conformance through the Python adapter's translation, in-process: the request the
app must see (or the refusal or error instead) and the result its response becomes. test/adapter/conformance.test.ts
runs the same fixtures end to end through both adapters; in-process, a mistake in the translation costs a fraction
of a second to find (tools/mutate/python_mutate.py)."""
import base64
import json
import os
import unittest
from http import HTTPStatus

from spaceport_adapter.config import _base_path
from spaceport_adapter.events import Action, Http, Refused, Unsupported, parse_event
from spaceport_adapter.results import AppResponse, header_map, refusal_response, to_result

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "runtime-layer", "conformance")
LAMBDA_CONTEXT = '{"request_id":"r-1"}'
# Set by the HTTP client that sends the request to the app, not by the translation.
CLIENT_HEADERS = {"content-length"}


def expand(value):
    """Fixtures write big strings as {"$repeat": "a", "count": n}."""
    if isinstance(value, list):
        return [expand(item) for item in value]
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("$repeat"), str):
        return value["$repeat"] * int(value["count"])
    return {name: expand(inner) for name, inner in value.items()}


def fixtures():
    for file in sorted(os.listdir(FIXTURE_DIR)):
        if file.endswith(".json"):
            with open(os.path.join(FIXTURE_DIR, file), encoding="utf-8") as handle:
                yield file[:-len(".json")], expand(json.load(handle))


def base_path(fixture):
    """SPACEPORT_BASE_PATH as the adapter's configuration reads it."""
    return _base_path(fixture.get("env", {}).get("SPACEPORT_BASE_PATH"))


def app_response(fixture):
    sent = fixture["appResponse"]
    body = base64.b64decode(sent["bodyBase64"]) if "bodyBase64" in sent else sent.get("body", "").encode("utf-8")
    status = sent["status"]
    return AppResponse(status, HTTPStatus(status).phrase, header_map([tuple(pair) for pair in sent["headers"]]), body)


class ConformanceFixtures(unittest.TestCase):
    def test_there_are_fixtures(self):
        self.assertGreaterEqual(len(list(fixtures())), 20)

    def test_every_fixture(self):
        for name, fixture in fixtures():
            with self.subTest(name):
                self.check(fixture)

    def check(self, fixture):
        parsed = parse_event(json.dumps(fixture["event"]).encode("utf-8"), base_path(fixture), LAMBDA_CONTEXT)
        expected = fixture["appRequest"]
        if "error" in fixture and expected is None:
            self.assertEqual(parsed, Unsupported(fixture["error"]["errorType"], fixture["error"]["errorMessage"]))
            return
        if expected is None:
            self.assertIsInstance(parsed, Refused)
            self.assertEqual(to_result(parsed.format, refusal_response(parsed.status, parsed.message)), fixture["result"])
            return
        self.assertIsInstance(parsed, (Http, Action))
        request = parsed.request
        self.assertEqual((request.method, request.target), (expected["method"], expected["target"]))
        if "bodyBase64" in expected:
            self.assertEqual(request.body, base64.b64decode(expected["bodyBase64"]))
        else:
            self.assertEqual(request.body, expected.get("body", "").encode("utf-8"))
        for header, values in expected["headers"].items():
            if header not in CLIENT_HEADERS:
                seen = [value for name, value in request.headers if name.lower() == header]
                self.assertEqual(seen, values, header)
        self.assertEqual([value for name, value in request.headers if name == "x-amzn-lambda-context"], [LAMBDA_CONTEXT])
        # The result of an app's answer, where the translation makes it (an action's or an oversized answer's is the
        # adapter's own, tested end to end).
        if isinstance(parsed, Http) and fixture["result"]["statusCode"] == fixture["appResponse"]["status"]:
            self.assertEqual(to_result(parsed.format, app_response(fixture)), fixture["result"])


if __name__ == "__main__":
    unittest.main()
