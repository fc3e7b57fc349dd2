"""The Python adapter's request head rules (Node's validateHeaderName / checkInvalidHeaderChar, as
runtime-layer/node/http11.ts applies them): what it refuses to write to the app's socket."""
import unittest

from spaceport_adapter.http11 import _encode_head


class RequestHead(unittest.TestCase):
    def test_writes_a_valid_head(self):
        self.assertEqual(_encode_head("GET", "/a?b", [("Host", "x"), ("X-A", "1")]),
                         b"GET /a?b HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n")

    def test_refuses_a_method_or_header_name_ending_in_a_newline(self):
        # Python's `$` matches before a final newline; JavaScript's, and so the Node adapter, does not.
        for method, headers in (("GET\n", []), ("GET", [("X-A\n", "1")]), ("GET", [("X-A", "1\n")]), ("GE T", [])):
            with self.subTest(method=method, headers=headers), self.assertRaises(ValueError):
                _encode_head(method, "/", headers)


if __name__ == "__main__":
    unittest.main()
