"""The invocation result each front door gets for an app's response, in-process (the counterpart of
test/adapter/results.test.ts): headers, cookies, bodies, the adapter's own refusals."""
import base64
import json
import unittest

from spaceport_adapter.results import AppResponse, header_map, is_text_body, refusal_response, to_result


def response(pairs, body=b"hello", status=200, reason="OK"):
    return AppResponse(status, reason, header_map(pairs), body)


class HeaderMap(unittest.TestCase):
    def test_lower_cases_names_keeps_repeats_in_order_and_drops_hop_by_hop(self):
        headers = header_map([("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2"),
                              ("Connection", "close"), ("Transfer-Encoding", "chunked")])
        self.assertEqual(list(headers.items()), [("content-type", ["text/plain"]), ("set-cookie", ["a=1", "b=2"])])
        for name in ("Keep-Alive", "Upgrade", "Trailer", "Proxy-Connection"):
            self.assertEqual(header_map([(name, "x")]), {}, name)


class RefusalResponse(unittest.TestCase):
    def test_json_with_its_reason_phrase(self):
        reasons = ((400, "Bad Request"), (404, "Not Found"), (413, "Payload Too Large"), (502, "Bad Gateway"), (418, ""))
        for status, reason in reasons:
            with self.subTest(status):
                refusal = refusal_response(status, "why é")
                self.assertEqual((refusal.status, refusal.reason), (status, reason))
                self.assertEqual(refusal.headers, {"content-type": ["application/json"]})
                self.assertEqual(refusal.body, '{"message":"why é"}'.encode())


class TextBodies(unittest.TestCase):
    def test_text_types_travel_as_text(self):
        for content_type in ("text/html", " text/plain ", "application/json; charset=utf-8", "Application/JSON",
                             "application/javascript", "application/xml", "application/yaml", "application/jwk-set+json",
                             "image/svg+xml", "application/x+yaml"):
            with self.subTest(content_type):
                self.assertTrue(is_text_body({"content-type": [content_type]}))
        for content_type in ("image/png", "application/octet-stream", "application/jsonx", "x/text/html", "application/x-json"):
            with self.subTest(content_type):
                self.assertFalse(is_text_body({"content-type": [content_type]}))
        self.assertFalse(is_text_body({}))
        self.assertFalse(is_text_body({"content-type": ["text/html"], "content-encoding": ["gzip"]}))
        self.assertTrue(is_text_body({"content-type": ["text/html", "image/png"]}))


class ToResult(unittest.TestCase):
    def test_v2_moves_set_cookie_to_cookies_and_joins_other_repeats(self):
        result = to_result("v2", response([("content-type", "text/plain"), ("vary", "accept"), ("vary", "origin"),
                                           ("set-cookie", "a=1"), ("set-cookie", "b=2")]))
        self.assertEqual(result, {"statusCode": 200, "headers": {"content-type": "text/plain", "vary": "accept,origin"},
                                  "cookies": ["a=1", "b=2"], "body": "hello", "isBase64Encoded": False})
        self.assertEqual(to_result("v2", response([("content-type", "text/plain")]))["cookies"], [])

    def test_binary_or_encoded_body_as_base64_text_as_text_empty_as_empty_text(self):
        raw = bytes([0, 255, 7])
        encoded = base64.b64encode(raw).decode()
        self.assertEqual(to_result("v2", response([("content-type", "image/png")], raw))["body"], encoded)
        self.assertTrue(to_result("v2", response([("content-type", "image/png")], raw))["isBase64Encoded"])
        self.assertEqual(to_result("v2", response([], raw))["body"], encoded)
        gzipped = to_result("v1", response([("content-type", "text/html"), ("content-encoding", "gzip")], raw))
        self.assertEqual((gzipped["body"], gzipped["isBase64Encoded"]), (encoded, True))
        text = to_result("v2", response([("content-type", "application/json; charset=utf-8")], '{"é":1}'.encode()))
        self.assertEqual((text["body"], text["isBase64Encoded"]), ('{"é":1}', False))
        empty = to_result("alb", response([("content-type", "image/png")], b""))
        self.assertEqual((empty["body"], empty["isBase64Encoded"]), ("", False))
        one_byte = to_result("v2", response([("content-type", "image/png")], b"\x00"))
        self.assertEqual((one_byte["body"], one_byte["isBase64Encoded"]), ("AA==", True))
        # Text that is not valid UTF-8 is still text: the invalid bytes read as U+FFFD, as Node's decoder reads them.
        self.assertEqual(to_result("v2", response([("content-type", "text/plain")], b"a\xffb"))["body"], "a\ufffdb")

    def test_v1_every_header_as_multi_value_headers_cookies_included(self):
        result = to_result("v1", response([("content-type", "text/plain"), ("set-cookie", "a=1"), ("set-cookie", "b=2")],
                                          b"hi", 201, "Created"))
        self.assertEqual(result, {"statusCode": 201,
                                  "multiValueHeaders": {"content-type": ["text/plain"], "set-cookie": ["a=1", "b=2"]},
                                  "body": "hi", "isBase64Encoded": False})
        binary = to_result("v1", response([("content-type", "image/png")], b"\x00"))
        self.assertEqual((binary["body"], binary["isBase64Encoded"]), ("AA==", True))

    def test_alb_both_header_forms_the_last_cookie_and_a_status_description(self):
        result = to_result("alb", response([("content-type", "text/plain"), ("vary", "a"), ("vary", "b"), ("set-cookie", "a=1"),
                                            ("set-cookie", "b=2")], b"hi", 404, "Not Found"))
        self.assertEqual(result, {
            "statusCode": 404, "statusDescription": "404 Not Found",
            "headers": {"content-type": "text/plain", "vary": "a,b", "set-cookie": "b=2"},
            "multiValueHeaders": {"content-type": ["text/plain"], "vary": ["a", "b"], "set-cookie": ["a=1", "b=2"]},
            "body": "hi", "isBase64Encoded": False,
        })
        self.assertEqual(to_result("alb", response([], b"", 599, ""))["statusDescription"], "599")
        three = to_result("alb", response([("set-cookie", "a=1"), ("set-cookie", "b=2"), ("set-cookie", "c=3")]))
        self.assertEqual(three["headers"]["set-cookie"], "c=3")
        binary = to_result("alb", response([("content-type", "image/png")], b"\x00"))
        self.assertEqual((binary["body"], binary["isBase64Encoded"]), ("AA==", True))

    def test_a_refusal_as_each_front_door_gets_it(self):
        refusal = refusal_response(404, "gone")
        self.assertEqual(json.loads(to_result("v2", refusal)["body"]), {"message": "gone"})
        self.assertEqual(to_result("alb", refusal)["statusDescription"], "404 Not Found")


if __name__ == "__main__":
    unittest.main()
