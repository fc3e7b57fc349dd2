"""The invocation result each front door expects for an HTTP response (same rules as runtime-layer/node/results.ts)."""
import base64
import json
import re
from typing import NamedTuple

# Connection-level headers that mean nothing once the body is buffered into a result.
HOP_BY_HOP = frozenset(("connection", "keep-alive", "transfer-encoding", "upgrade", "trailer", "proxy-connection"))
TEXT_TYPES = re.compile(r"^(text/|application/(json|javascript|xml|yaml)\b)|\+(json|xml|yaml)\b", re.IGNORECASE)
# Reason phrases of the responses the adapter writes itself.
REASONS = {400: "Bad Request", 404: "Not Found", 413: "Payload Too Large", 502: "Bad Gateway"}


class AppResponse(NamedTuple):
    status: int
    reason: str
    headers: dict  # lower-cased name -> [values], in order
    body: bytes


def header_map(pairs):
    headers = {}
    for name, value in pairs:
        lower = name.lower()
        if lower not in HOP_BY_HOP:
            headers.setdefault(lower, []).append(value)
    return headers


def is_text_body(headers):
    content_type = headers.get("content-type")
    return ("content-encoding" not in headers and content_type is not None
            and TEXT_TYPES.search(content_type[0].strip()) is not None)


def refusal_response(status, message):
    # mutate: equivalent StringLiteral ",": one key, so the item separator is never written
    body = json.dumps({"message": message}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return AppResponse(status, REASONS.get(status, ""), {"content-type": ["application/json"]}, body)


def to_result(fmt, response):
    text = len(response.body) == 0 or is_text_body(response.headers)
    body = response.body.decode("utf-8", "replace") if text else base64.b64encode(response.body).decode("ascii")
    if fmt == "v2":
        headers = {}
        cookies = []
        for name, values in response.headers.items():
            if name == "set-cookie":
                cookies = values
            else:
                headers[name] = ",".join(values)
        return {"statusCode": response.status, "headers": headers, "cookies": cookies, "body": body,
                "isBase64Encoded": not text}
    multi_value_headers = dict(response.headers)
    if fmt == "v1":
        return {"statusCode": response.status, "multiValueHeaders": multi_value_headers, "body": body,
                "isBase64Encoded": not text}
    # Single-value headers can carry one cookie only: the last, as a browser would keep.
    headers = {name: values[-1] if name == "set-cookie" else ",".join(values)
               for name, values in response.headers.items()}
    return {"statusCode": response.status, "statusDescription": f"{response.status} {response.reason}".strip(),
            "headers": headers, "multiValueHeaders": multi_value_headers, "body": body, "isBase64Encoded": not text}
