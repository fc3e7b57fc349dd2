"""The Python adapter's event translation, in-process (the counterpart of test/adapter/events.test.ts): the request an
app sees for each front door's event, and the refusals it never sees. Runs against the built layer's package (its
constants module is generated from lib/core): PYTHONPATH=<layer>/python, as test/adapter/python-events.test.ts and
tools/mutate/python_mutate.py set it."""
import base64
import json
import unittest

from spaceport_adapter.constants import BODY_LIMIT_BYTES
from spaceport_adapter.events import Action, Http, Refused, Unsupported, ascii_json, is_reserved_path, parse_event, path_readings

LAMBDA_CONTEXT = '{"request_id":"r-1"}'


def parse(event, base_path=""):
    return parse_event(json.dumps(event).encode("utf-8"), base_path, LAMBDA_CONTEXT)


def request_of(event, base_path=""):
    parsed = parse(event, base_path)
    if not isinstance(parsed, Http):
        raise AssertionError(f"expected an HTTP request, got {parsed!r}")
    return parsed.request


def headers_of(request):
    """The headers as name -> values, in order."""
    headers = {}
    for name, value in request.headers:
        headers.setdefault(name, []).append(value)
    return headers


def v2(overrides=None, http=None):
    event = {
        "version": "2.0",
        "rawPath": "/notes",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "domainName": "app.example.com",
            "http": {"method": "GET", "path": "/notes", "sourceIp": "203.0.113.9", **(http or {})},
        },
        "isBase64Encoded": False,
    }
    event.update(overrides or {})
    return {name: value for name, value in event.items() if value is not None}


def v1(overrides=None):
    event = {
        "version": "1.0",
        "httpMethod": "GET",
        "path": "/notes",
        "requestContext": {"domainName": "rest.example.com", "identity": {"sourceIp": "198.51.100.7"}},
    }
    event.update(overrides or {})
    return {name: value for name, value in event.items() if value is not None}


def alb(overrides=None):
    event = {"httpMethod": "GET", "path": "/notes", "requestContext": {"elb": {"targetGroupArn": "arn:tg"}}}
    event.update(overrides or {})
    return event


RESERVED_MESSAGE = "Not found: paths under /__space/ are reserved for the Space runtime"
NOT_A_PATH = "Bad request: the request target must be a path, not a URL"


class PayloadV2(unittest.TestCase):
    def test_method_path_and_raw_query_as_sent(self):
        parsed = parse(v2({"rawPath": "/notes/1", "rawQueryString": "tab=2&q=a%20b"}, {"method": "PUT"}))
        self.assertIsInstance(parsed, Http)
        self.assertEqual(parsed.format, "v2")
        self.assertEqual(parsed.request.method, "PUT")
        self.assertEqual(parsed.request.target, "/notes/1?tab=2&q=a%20b")
        self.assertEqual(parsed.request.body, b"")

    def test_no_question_mark_without_a_query(self):
        self.assertEqual(request_of(v2({"rawQueryString": ""})).target, "/notes")
        without = v2()
        del without["rawQueryString"]
        self.assertEqual(request_of(without).target, "/notes")
        self.assertEqual(request_of(v2({"rawQueryString": 7})).target, "/notes")

    def test_forwarded_prefix_is_the_micro_path_never_the_clients(self):
        mounted = headers_of(request_of(v2({"rawPath": "/api/items", "headers": {"x-forwarded-prefix": "/evil"}}), "/api"))
        self.assertEqual(mounted["x-forwarded-prefix"], ["/api"])
        forged = headers_of(request_of(v2({"headers": {"x-forwarded-host": "evil.example", "forwarded": "host=evil.example"}})))
        self.assertNotIn("x-forwarded-host", forged)
        self.assertNotIn("forwarded", forged)
        self.assertNotIn("x-forwarded-prefix", headers_of(request_of(v2())))

    def test_strips_the_micro_path(self):
        self.assertEqual(request_of(v2({"rawPath": "/api/items"}), "/api").target, "/items")
        self.assertEqual(request_of(v2({"rawPath": "/api"}), "/api").target, "/")
        self.assertEqual(request_of(v2({"rawPath": "/api/"}), "/api").target, "/")
        # Only a path under the micro's: /apix and /other are not /api's.
        self.assertEqual(request_of(v2({"rawPath": "/apix/items"}), "/api").target, "/apix/items")
        self.assertEqual(request_of(v2({"rawPath": "/other"}), "/api").target, "/other")
        # A base path of "/" (the primary micro) strips nothing.
        self.assertEqual(request_of(v2({"rawPath": "/items"}), "/").target, "/items")
        self.assertEqual(request_of(v2({"rawPath": "//items"}), "/").target, "//items")

    def test_cookies_joined_into_one_cookie_header(self):
        self.assertEqual(headers_of(request_of(v2({"cookies": ["a=1", "b=2"]})))["cookie"], ["a=1; b=2"])
        self.assertEqual(headers_of(request_of(v2({"cookies": ["only=1"]})))["cookie"], ["only=1"])
        self.assertNotIn("cookie", headers_of(request_of(v2({"cookies": []}))))
        self.assertNotIn("cookie", headers_of(request_of(v2({"cookies": "a=1"}))))

    def test_completes_host_forwarded_for_and_proto(self):
        request = request_of(v2())
        self.assertEqual(request.headers, [
            ("host", "app.example.com"),
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("x-amzn-request-context", ascii_json({"domainName": "app.example.com", "http": {
                "method": "GET", "path": "/notes", "sourceIp": "203.0.113.9"}})),
            ("x-amzn-lambda-context", LAMBDA_CONTEXT),
        ])

    def test_keeps_the_clients_host_and_proto_and_appends_the_source_ip_once(self):
        sent = {"Host": "custom.example", "X-Forwarded-Proto": "http", "x-forwarded-for": "10.0.0.1"}
        headers = headers_of(request_of(v2({"headers": sent})))
        self.assertEqual(headers["Host"], ["custom.example"])
        self.assertNotIn("host", headers)
        self.assertEqual(headers["X-Forwarded-Proto"], ["http"])
        self.assertNotIn("x-forwarded-proto", headers)
        self.assertEqual(headers["x-forwarded-for"], ["10.0.0.1, 203.0.113.9"])
        already = headers_of(request_of(v2({"headers": {"x-forwarded-for": "10.0.0.1, 203.0.113.9"}})))
        self.assertEqual(already["x-forwarded-for"], ["10.0.0.1, 203.0.113.9"])
        alone = headers_of(request_of(v2({"headers": {"x-forwarded-for": "203.0.113.9"}})))
        self.assertEqual(alone["x-forwarded-for"], ["203.0.113.9"])
        # The source IP is appended when it is not the last hop, even if it appears earlier.
        earlier = headers_of(request_of(v2({"headers": {"x-forwarded-for": "203.0.113.9,10.0.0.1"}})))
        self.assertEqual(earlier["x-forwarded-for"], ["203.0.113.9,10.0.0.1, 203.0.113.9"])

    def test_completes_host_and_proto_when_other_headers_were_sent(self):
        headers = headers_of(request_of(v2({"headers": {"accept": "text/html", "x-forwarded-port": "443"}})))
        self.assertEqual(headers["host"], ["app.example.com"])
        self.assertEqual(headers["x-forwarded-proto"], ["https"])
        self.assertEqual(headers["x-forwarded-port"], ["443"])
        self.assertEqual(headers["accept"], ["text/html"])

    def test_keeps_a_forwarded_chain_as_sent_without_a_source_ip(self):
        event = v2({"headers": {"x-forwarded-for": "10.0.0.1"}, "requestContext": {"http": {"method": "GET"}}})
        self.assertEqual(headers_of(request_of(event))["x-forwarded-for"], ["10.0.0.1"])
        not_text = v2({"headers": {"x-forwarded-for": "10.0.0.1"}}, {"sourceIp": 7})
        self.assertEqual(headers_of(request_of(not_text))["x-forwarded-for"], ["10.0.0.1"])

    def test_localhost_host_and_no_forwarded_for_without_a_context(self):
        headers = headers_of(request_of(v2({"requestContext": {"http": {"method": "GET"}}})))
        self.assertEqual(headers["host"], ["localhost"])
        self.assertNotIn("x-forwarded-for", headers)
        self.assertEqual(headers_of(request_of(v2({}, {"sourceIp": ""}))).get("x-forwarded-for"), None)
        no_context = {"version": "2.0", "rawPath": "/x", "requestContext": {"http": {"method": "GET"}, "domainName": 7}}
        self.assertEqual(headers_of(request_of(no_context))["host"], ["localhost"])

    def test_drops_hop_by_hop_length_and_forgeable_context_headers(self):
        sent = {
            "connection": "keep-alive", "Content-Length": "999", "transfer-encoding": "chunked", "expect": "100-continue",
            "keep-alive": "timeout=5", "upgrade": "websocket", "proxy-connection": "close",
            "x-amzn-request-context": '{"forged":true}', "x-amzn-lambda-context": "forged", "accept": "text/html",
        }
        headers = headers_of(request_of(v2({"headers": sent})))
        for name in ("connection", "Content-Length", "transfer-encoding", "expect", "keep-alive", "upgrade", "proxy-connection"):
            self.assertNotIn(name, headers, name)
        self.assertEqual(headers["accept"], ["text/html"])
        self.assertEqual(headers["x-amzn-lambda-context"], [LAMBDA_CONTEXT])
        self.assertEqual(json.loads(headers["x-amzn-request-context"][0])["domainName"], "app.example.com")

    def test_request_context_as_ascii_json(self):
        event = v2({"requestContext": {"domainName": "app.example.com", "http": {"method": "GET"},
                                       "authorizer": {"lambda": {"user": "Zoë ☃"}}}})
        value = headers_of(request_of(event))["x-amzn-request-context"][0]
        self.assertTrue(value.isascii())
        self.assertIn("Zo\\u00eb \\u2603", value)
        self.assertEqual(json.loads(value)["authorizer"]["lambda"]["user"], "Zoë ☃")
        self.assertEqual(ascii_json({"a": "é", "b": [1, None]}), '{"a":"\\u00e9","b":[1,null]}')
        # An event without a request context still tells the app one: an empty object, as the Node adapter does.
        bare = {"version": "2.0", "rawPath": "/x", "requestContext": None}
        self.assertIsInstance(parse(bare), Refused)
        self.assertEqual(headers_of(request_of({"httpMethod": "GET", "path": "/x"}))["x-amzn-request-context"], ["{}"])

    def test_bodies_base64_decoded_or_utf8(self):
        raw = bytes([0, 255, 1, 128])
        self.assertEqual(request_of(v2({"body": base64.b64encode(raw).decode(), "isBase64Encoded": True})).body, raw)
        self.assertEqual(request_of(v2({"body": "héllo", "isBase64Encoded": False})).body, "héllo".encode())
        self.assertEqual(request_of(v2({"body": "aGk=", "isBase64Encoded": "true"})).body, b"aGk=")
        self.assertEqual(request_of(v2({"body": ""})).body, b"")
        self.assertEqual(request_of(v2({"body": "", "isBase64Encoded": True})).body, b"")
        self.assertEqual(request_of(v2({"body": 7})).body, b"")

    def test_base64_decoded_leniently_as_node_does(self):
        def decoded(text):
            return request_of(v2({"body": text, "isBase64Encoded": True})).body
        self.assertEqual(decoded("aGk"), b"hi")  # missing padding
        self.assertEqual(decoded("aG k=\n"), b"hi")  # outside the alphabet: skipped
        self.assertEqual(decoded("-_-_"), base64.b64decode("+/+/"))  # the URL-safe alphabet
        self.assertEqual(decoded("aGkhY"), b"hi!")  # a lone trailing character holds no whole byte
        self.assertEqual(decoded("aGkh"), b"hi!")
        self.assertEqual(decoded("aGkh Y"), b"hi!")  # the lone character counted after skipping the others
        for size in range(1, 8):
            self.assertEqual(decoded(base64.b64encode(bytes(range(size))).decode().rstrip("=")), bytes(range(size)), size)

    def test_base64_ends_at_the_first_padding_as_node_reads_it(self):
        def decoded(text):
            return request_of(v2({"body": text, "isBase64Encoded": True})).body
        self.assertEqual(decoded("YQ==YQ=="), b"a")
        self.assertEqual(decoded("aG=k"), b"h")
        self.assertEqual(decoded("=aGk"), b"")

    def test_a_lone_surrogate_in_a_text_body_reaches_the_app_as_node_sends_it(self):
        # JSON may escape half a surrogate pair; Node's Buffer.from writes it as U+FFFD.
        self.assertEqual(parse_event(b'{"rawPath":"/","requestContext":{"http":{"method":"POST"}},"body":"a\\ud800b"}', "",
                                     LAMBDA_CONTEXT).request.body, "a\ufffdb".encode())
        app_action = b'{"source":"spaceport.app-action","request":{"method":"POST","path":"/x","body":"\\udc00"}}'
        self.assertEqual(parse_event(app_action, "", LAMBDA_CONTEXT).request.body, "\ufffd".encode())
        # JSON.stringify escapes it.
        action = b'{"source":"spaceport.action","event":{"id":"a","note":"\\ud800\\ud83d\\ude00"}}'
        self.assertEqual(parse_event(action, "", LAMBDA_CONTEXT).request.body,
                         '{"event":{"id":"a","note":"\\ud800\U0001F600"}}'.encode())

    def test_percent_encodes_what_may_not_stand_in_a_target(self):
        self.assertEqual(request_of(v2({"rawPath": '/a b/ü"<>'})).target, "/a%20b/%C3%BC%22%3C%3E")
        self.assertEqual(request_of(v2({"rawPath": "/a#b?c"})).target, "/a%23b%3Fc")
        self.assertEqual(request_of(v2({"rawPath": "/a-b_c.d~e!$&'()*+,;=:@"})).target, "/a-b_c.d~e!$&'()*+,;=:@")

    def test_recognised_by_raw_path_alone(self):
        event = v2()
        del event["version"]
        self.assertEqual(parse(event).format, "v2")
        self.assertEqual(parse({"version": "2.0", "requestContext": {"http": {"method": "GET", "path": "/p"}}}).format, "v2")

    def test_path_from_request_context_when_raw_path_is_missing(self):
        event = v2({}, {"path": "/from-context"})
        del event["rawPath"]
        self.assertEqual(request_of(event).target, "/from-context")
        self.assertEqual(request_of(v2({"rawPath": "/raw"}, {"path": "/from-context"})).target, "/raw")


class PayloadV1AndAlb(unittest.TestCase):
    def test_reencodes_the_decoded_query_and_repeats_multi_values(self):
        event = v1({"multiValueQueryStringParameters": {"q": ["a b", "c&d"], "tab": ["2"]},
                    "queryStringParameters": {"q": "c&d", "tab": "2"}})
        parsed = parse(event)
        self.assertEqual(parsed.format, "v1")
        self.assertEqual(parsed.request.target, "/notes?q=a%20b&q=c%26d&tab=2")
        self.assertEqual(request_of(v1({"queryStringParameters": {"a b": "x/y", "n": 1, "t": True}})).target,
                         "/notes?a%20b=x%2Fy&n=1&t=true")
        self.assertEqual(request_of(v1({"multiValueQueryStringParameters": {"one": "vw"}})).target, "/notes?one=vw")
        self.assertEqual(request_of(v1({"queryStringParameters": {"k": "!*'()~._-é"}})).target, "/notes?k=!*'()~._-%C3%A9")
        self.assertEqual(request_of(v1({"queryStringParameters": None})).target, "/notes")

    def test_alb_query_as_sent(self):
        parsed = parse(alb({"queryStringParameters": {"q": "a%20b", "f": False, "z": None}}))
        self.assertEqual(parsed.format, "alb")
        self.assertEqual(parsed.request.target, "/notes?q=a%20b&f=false&z=null")
        self.assertEqual(request_of(alb({"multiValueQueryStringParameters": {"q": ["a b", "c"]}})).target, "/notes?q=a b&q=c")

    def test_repeats_multi_value_headers_or_reads_single_value_headers(self):
        multi = headers_of(request_of(v1({"multiValueHeaders": {"accept": ["a", "b"], "x-one": "solo", "x-n": [1]},
                                          "headers": {"accept": "b"}})))
        self.assertEqual(multi["accept"], ["a", "b"])
        self.assertEqual(multi["x-one"], ["solo"])
        self.assertEqual(multi["x-n"], ["1"])
        self.assertEqual(headers_of(request_of(v1({"headers": {"accept": "text/plain", "x-n": 2}})))["x-n"], ["2"])
        self.assertEqual(headers_of(request_of(v1({"headers": {"accept": "text/plain"}})))["accept"], ["text/plain"])
        self.assertNotIn("accept", headers_of(request_of(v1({"headers": None}))))

    def test_joins_repeated_forwarded_for_and_appends_the_source_ip(self):
        headers = headers_of(request_of(v1({"multiValueHeaders": {
            "X-Forwarded-For": ["10.0.0.1", "10.0.0.2"], "x-forwarded-for": ["10.0.0.3", "10.0.0.4"]}})))
        self.assertEqual(headers["x-forwarded-for"], ["10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 198.51.100.7"])
        self.assertEqual(headers_of(request_of(v1()))["host"], ["rest.example.com"])
        self.assertNotIn("x-forwarded-for", headers_of(request_of(v1({"requestContext": {"identity": "x"}}))))

    def test_recognised_by_http_method_alone(self):
        event = v1()
        del event["version"]
        self.assertEqual(parse(event).format, "v1")
        self.assertEqual(parse({"version": "1.0", "httpMethod": "GET", "path": "/"}).format, "v1")
        self.assertEqual(parse(alb({"requestContext": {"elb": "not an object"}})).format, "v1")
        self.assertEqual(parse({"httpMethod": "GET", "path": "/", "requestContext": []}).format, "v1")


class Refusals(unittest.TestCase):
    RESERVED = [
        "/__space", "/__space/v0/actions", "/__SPACE/v0/actions", "/__Space", "/%5F%5Fspace/v0/actions", "/%5f%5fSPACE",
        "/notes/../__space/v0/actions", "//__space/v0/actions", "/./__space/v0/actions", "/a/b/../../__space/x",
        "//x/__space/v0/actions", "/a/..%2F__space/x", "/a/..%5C__space/x", "/a/..\\__space/x", "/a/%2e%2e/__space",
        "/%255F%255Fspace/v0", "/__space/", "/__space/.", "/x/..%2F..%2F__space",
    ]

    def test_reserved_paths_in_every_spelling_answer_404(self):
        for raw_path in self.RESERVED:
            with self.subTest(raw_path):
                self.assertEqual(parse(v2({"rawPath": raw_path})), Refused("v2", 404, RESERVED_MESSAGE))
        self.assertEqual(parse(v1({"path": "/__space/x"})), Refused("v1", 404, RESERVED_MESSAGE))
        self.assertEqual(parse(alb({"path": "/%5F%5Fspace"})), Refused("alb", 404, RESERVED_MESSAGE))

    def test_judges_the_path_the_micro_sees(self):
        self.assertEqual(parse(v2({"rawPath": "/api/__space/v0/actions"}), "/api"), Refused("v2", 404, RESERVED_MESSAGE))

    def test_lets_through_what_is_not_under_the_reserved_prefix(self):
        for raw_path in ("/__spaces", "/notes/__space", "/%zz/__space", "/a/.../__space", "/space/__space.txt", "/bad%zz__space",
                         "/%25255F%25255Fspace/x", "/", "/a/%2e%2e"):
            with self.subTest(raw_path):
                self.assertIsInstance(parse(v2({"rawPath": raw_path})), Http)

    def test_only_a_path_goes_on(self):
        for raw_path in ("http://evil.example/__space/v0/actions", "*", "notes"):
            with self.subTest(raw_path):
                self.assertEqual(parse(v2({"rawPath": raw_path})), Refused("v2", 400, NOT_A_PATH))
        self.assertEqual(parse(alb({"path": "x"})), Refused("alb", 400, NOT_A_PATH))

    def test_body_over_the_limit_is_413_and_at_the_limit_passes(self):
        over = parse(v2({"body": base64.b64encode(bytes(BODY_LIMIT_BYTES + 1)).decode(), "isBase64Encoded": True}))
        self.assertEqual(over, Refused("v2", 413, f"Payload too large: the request body is {BODY_LIMIT_BYTES + 1} bytes, "
                                                  f"the limit is {BODY_LIMIT_BYTES} bytes (5.5 MB)"))
        at = parse(v2({"body": "a" * BODY_LIMIT_BYTES}))
        self.assertIsInstance(at, Http)
        self.assertEqual(len(at.request.body), BODY_LIMIT_BYTES)
        # The limit counts bytes, not characters: 2-byte characters reach it at half the length.
        self.assertIsInstance(parse(alb({"body": "é" * (BODY_LIMIT_BYTES // 2 + 1)})), Refused)

    def test_names_the_missing_field(self):
        cases = [
            (v2({}, {"method": None}), "v2", "requestContext.http.method"),
            (v2({}, {"method": ""}), "v2", "requestContext.http.method"),
            (v2({"rawPath": ""}, {"path": None}), "v2", "rawPath"),
            (v2({"requestContext": {"http": "GET"}}), "v2", "requestContext.http.method"),
            (v1({"httpMethod": ""}), "v1", "httpMethod"),
            (v1({"path": None}), "v1", "path"),
            ({"version": "1.0", "path": "/x"}, "v1", "httpMethod"),
            (alb({"path": 7}), "alb", "path"),
        ]
        names = {"v2": "API Gateway HTTP API (payload 2.0) event", "v1": "API Gateway REST (payload 1.0) event",
                 "alb": "ALB event"}
        for event, fmt, field in cases:
            with self.subTest(event=event):
                self.assertEqual(parse(event), Refused(fmt, 400, f"Bad request: the {names[fmt]} has no {field}"))


class ReservedPathRule(unittest.TestCase):
    """lib/core/paths.ts's pathReadings, ported: test/core/paths.test.ts holds the two to the same readings."""

    def test_a_plain_path_is_its_only_reading(self):
        self.assertEqual(path_readings("/notes/1"), ["/notes/1"])
        self.assertEqual(path_readings("/.well-known/x"), ["/.well-known/x"])

    def test_every_decoded_unslashed_dot_resolved_reading(self):
        self.assertEqual(path_readings("/a//b/./c/"), ["/a//b/./c/", "/a/b/c/"])
        self.assertEqual(path_readings("/a/%2e%2e/b"), ["/a/%2e%2e/b", "/a/../b", "/b"])
        self.assertEqual(path_readings("/a/..%5Cb"), ["/a/..%5Cb", "/a/..\\b", "/a/../b", "/b"])
        self.assertEqual(path_readings("/%252541"), ["/%252541", "/%2541", "/%41"])
        self.assertEqual(path_readings("/x/.."), ["/x/..", "/"])
        self.assertEqual(path_readings("/x/."), ["/x/.", "/x/"])
        self.assertEqual(path_readings("/x/"), ["/x/"])
        self.assertEqual(path_readings("//"), ["//", "/"])
        self.assertEqual(path_readings("/../x"), ["/../x", "/x"])
        self.assertEqual(path_readings("//evil/__space/x"), ["//evil/__space/x", "/evil/__space/x", "/__space/x"])

    def test_a_decoded_newline_ends_no_path_with_a_slash(self):
        # As JavaScript's `$` reads it: a path ends where its text ends, not before a final newline.
        self.assertEqual(path_readings("/x/%0A"), ["/x/%0A", "/x/\n"])
        self.assertEqual(path_readings("/x/.%0A"), ["/x/.%0A", "/x/.\n"])

    def test_malformed_or_non_utf8_escapes_stay_as_sent(self):
        self.assertEqual(path_readings("/bad%zz"), ["/bad%zz"])
        # One malformed escape leaves the others undecoded too, as decodeURIComponent throws on the whole path.
        self.assertEqual(path_readings("/%zz%41"), ["/%zz%41"])
        self.assertFalse(is_reserved_path("/%zz/..%2F__space"))
        self.assertEqual(path_readings("/%ED%A0%80"), ["/%ED%A0%80"])
        self.assertEqual(path_readings("/%C4%80"), ["/%C4%80", "/Ā"])

    def test_reserved_in_any_case(self):
        self.assertTrue(is_reserved_path("/__SPACE/v0"))
        self.assertFalse(is_reserved_path("/a/__space"))


class ScheduledActions(unittest.TestCase):
    def test_posts_the_action_as_space_did(self):
        parsed = parse({"source": "spaceport.action", "event": {"id": "cleanup", "trigger": "schedule", "note": "é"}})
        self.assertIsInstance(parsed, Action)
        self.assertEqual(parsed.action_id, "cleanup")
        request = parsed.request
        self.assertEqual((request.method, request.target), ("POST", "/__space/v0/actions"))
        self.assertEqual(request.body, '{"event":{"id":"cleanup","trigger":"schedule","note":"é"}}'.encode())
        self.assertEqual(request.headers, [("host", "localhost"), ("content-type", "application/json"),
                                           ("x-amzn-lambda-context", LAMBDA_CONTEXT)])

    def test_refuses_an_action_without_an_id(self):
        message = ('The spaceport.action event has no event.id: expected '
                   '{"source":"spaceport.action","event":{"id":"<action id>","trigger":"schedule"}}')
        for fields in ({}, {"event": "cleanup"}, {"event": {"id": ""}}, {"event": {"id": 7}}, {"event": {}}):
            with self.subTest(fields):
                self.assertEqual(parse({"source": "spaceport.action", **fields}),
                                 Unsupported("Spaceport.MalformedEvent", message))


class AppActions(unittest.TestCase):
    HEADERS = [("host", "localhost"), ("content-type", "application/json"), ("x-amzn-lambda-context", LAMBDA_CONTEXT)]

    def test_reaches_the_reserved_actions_path_as_payload_2(self):
        parsed = parse({"source": "spaceport.app-action", "request": {"method": "GET", "path": "/__space/actions"}}, "/api")
        self.assertIsInstance(parsed, Http)
        self.assertEqual(parsed.format, "v2")
        self.assertEqual(parsed.request, type(parsed.request)("GET", "/__space/actions", self.HEADERS, b""))

    def test_posts_the_inputs_as_json(self):
        body = json.dumps({"name": "Ada", "loud": True, "note": "é"})
        request = request_of({"source": "spaceport.app-action",
                              "request": {"method": "POST", "path": "/__space/actions/greet", "body": body}})
        self.assertEqual((request.method, request.target), ("POST", "/__space/actions/greet"))
        self.assertEqual(request.body, body.encode("utf-8"))
        self.assertEqual(request.headers, self.HEADERS)

    def test_no_body_unless_text(self):
        request = request_of({"source": "spaceport.app-action", "request": {"method": "POST", "path": "/run", "body": {"a": 1}}})
        self.assertEqual(request.body, b"")

    def test_refuses_a_call_without_a_method_and_a_path(self):
        message = ('The spaceport.app-action event needs request.method (GET or POST) and request.path (a path): expected '
                   '{"source":"spaceport.app-action","request":{"method":"GET","path":"/__space/actions"}}')
        for fields in ({}, {"request": "GET /__space/actions"}, {"request": {"method": "PUT", "path": "/x"}},
                       {"request": {"method": "GET"}}, {"request": {"method": "GET", "path": 7}},
                       {"request": {"method": "GET", "path": "http://other/__space/actions"}}, {"request": {"path": "/x"}}):
            with self.subTest(fields):
                self.assertEqual(parse({"source": "spaceport.app-action", **fields}),
                                 Unsupported("Spaceport.MalformedEvent", message))


class UnsupportedEvents(unittest.TestCase):
    def test_not_json(self):
        self.assertEqual(parse_event(b"{nope", "", LAMBDA_CONTEXT),
                         Unsupported("Spaceport.UnsupportedEvent", "The event is not JSON"))

    def test_describes_what_it_got(self):
        cases = [
            ([1], "a JSON array"), (None, "JSON null"), (42, "a JSON number"), (1.5, "a JSON number"), ("x", "a JSON string"),
            (True, "a JSON boolean"), ({}, "an empty JSON object"), ({"Records": []}, "an object with keys Records"),
            ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, "an object with keys a, b, c, d, e"),
            ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}, "an object with keys a, b, c, d, e, ..."),
            ({"source": "aws.events"}, "an object with keys source"),
        ]
        for event, description in cases:
            with self.subTest(event):
                self.assertEqual(parse(event), Unsupported(
                    "Spaceport.UnsupportedEvent",
                    f"Spaceport cannot handle this event ({description}): it serves API Gateway, function URL and ALB HTTP "
                    "requests, spaceport.action and spaceport.app-action events"))


if __name__ == "__main__":
    unittest.main()
