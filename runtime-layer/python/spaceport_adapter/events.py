"""What an invocation event asks for (same rules and messages as runtime-layer/node/events.ts): an HTTP request
from API Gateway (payload 2.0 or 1.0), a function URL or an ALB, a scheduled action, or something unsupported."""
import base64
import json
import re
from typing import NamedTuple
from urllib.parse import quote, unquote

from .constants import ACTION_EVENT_SOURCE, ACTIONS_PATH, APP_ACTION_EVENT_SOURCE, BODY_LIMIT_BYTES, RESERVED_PREFIX

FORMAT_NAMES = {
    "v2": "API Gateway HTTP API (payload 2.0) event",
    "v1": "API Gateway REST (payload 1.0) event",
    "alb": "ALB event",
}
# Request headers the adapter sets itself, that make no sense once the body has been decoded and buffered, or that
# only a client would have sent (API Gateway passes a client's X-Forwarded-Host and Forwarded as they came).
REPLACED_HEADERS = frozenset((
    "connection", "keep-alive", "transfer-encoding", "content-length", "expect", "upgrade", "proxy-connection",
    "x-amzn-request-context", "x-amzn-lambda-context", "x-forwarded-prefix", "x-forwarded-host", "forwarded",
))
# Characters a decoded path may hold that are not allowed in a request target.
UNSAFE_PATH_CHARS = re.compile(r'[^\x21-\x7e]|["<>\\^`{|}#?]')
# lib/core/paths.ts: something in a path that some reading would change, how often a path may be decoded,
# a leading `//host` that URL parsers read as an authority, and the ends of a path that keep a trailing slash.
# mutate: equivalent StringLiteral: it only chooses the fast path (see path_readings)
READ_DIFFERENTLY = re.compile(r"[%\\]|//|/\.")
DECODINGS = 2
LEADING_AUTHORITY = re.compile(r"^//[^/]*")
# `\Z` is JavaScript's `$`: Python's `$` also matches before a final newline, and a path may decode to one.
TRAILING_DOTS = re.compile(r"/\.{0,2}\Z")
# A `%` that does not start an escape: decodeURIComponent would throw.
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Outside the base64 alphabet (after mapping the URL-safe one): skipped, as Node's decoder does.
NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
# encodeURIComponent's unreserved set, so both adapters build the same query strings and targets.
COMPONENT_SAFE = "!*'()"
# Half a surrogate pair, which JSON may escape but UTF-8 cannot hold.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class AppRequest(NamedTuple):
    method: str
    target: str
    headers: list  # [(name, value), ...]
    body: bytes


class Http(NamedTuple):
    format: str
    request: AppRequest


class Refused(NamedTuple):
    format: str
    status: int
    message: str


class Action(NamedTuple):
    action_id: str
    request: AppRequest


class Unsupported(NamedTuple):
    error_type: str
    message: str


class _MissingField(Exception):
    pass


def ascii_json(value):
    """JSON as ASCII, so it can travel in a header (the same text as the Node adapter's asciiJson)."""
    return json.dumps(value, separators=(",", ":"))


def _text(value):
    """A JSON scalar as JavaScript's String() writes it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _require_string(value, field):
    if not isinstance(value, str) or value == "":
        raise _MissingField(field)
    return value


def _is_under(path, prefix):
    return path == prefix or path.startswith(prefix + "/")


def _strip_base_path(path, base_path):
    if not base_path or base_path == "/" or not _is_under(path, base_path):
        return path
    return path[len(base_path):] or "/"


def _format_of(event):
    context = event.get("requestContext")
    if isinstance(context, dict) and isinstance(context.get("elb"), dict):
        return "alb"
    if event.get("version") == "2.0" or "rawPath" in event:
        return "v2"
    if event.get("version") == "1.0" or "httpMethod" in event:
        return "v1"
    return None


def _resolve_dots(path):
    """Resolves `.`, `..` and repeated slashes as a server normalising its path would. Keeps a trailing slash."""
    segments = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    trailing_slash = bool(segments) and TRAILING_DOTS.search(path) is not None
    return "/" + "/".join(segments) + ("/" if trailing_slash else "")


def path_readings(path):
    """Every way a framework may read `path`, the same list as lib/core/paths.ts's pathReadings."""
    # mutate: equivalent ConditionalExpression: the fast path; every other reading of such a path is itself
    if not READ_DIFFERENTLY.search(path):
        # mutate: equivalent BlockStatement: the fast path; every other reading of such a path is itself
        return [path]
    spellings = [path]
    current = path
    for _ in range(DECODINGS):
        decoded = _decode_uri_component(current)
        if decoded is None or decoded == current:
            break
        spellings.append(decoded)
        current = decoded
    readings = {}
    for spelling in spellings:
        for slashes in (spelling, spelling.replace("\\", "/")):
            for without_authority in (slashes, LEADING_AUTHORITY.sub("", slashes) or "/"):
                readings[without_authority] = None
                readings[_resolve_dots(without_authority)] = None
    return list(readings)


def is_reserved_path(path):
    """True when any reading of `path` lies under /__space, in any case."""
    return any(_is_under(reading.lower(), RESERVED_PREFIX) for reading in path_readings(path))


def _decode_uri_component(text):
    """Like JavaScript's decodeURIComponent; None for text that is not valid percent-encoded UTF-8."""
    if BAD_PERCENT.search(text):
        return None
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        # mutate: equivalent BlockStatement: a function that returns nothing returns None as well
        return None


def _encode_component(text):
    return quote(text, safe=COMPONENT_SAFE)


def _query_from_parameters(event, encode):
    pairs = []
    multi = event.get("multiValueQueryStringParameters")
    single = event.get("queryStringParameters")
    if isinstance(multi, dict):
        for name, values in multi.items():
            for value in values if isinstance(values, list) else [values]:
                pairs.append(f"{encode(name)}={encode(_text(value))}")
    elif isinstance(single, dict):
        for name, value in single.items():
            pairs.append(f"{encode(name)}={encode(_text(value))}")
    return "&".join(pairs)


def _header_entries_v1(event):
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        return [(name, [_text(v) for v in values] if isinstance(values, list) else [_text(values)])
                for name, values in multi.items()]
    single = event.get("headers")
    if isinstance(single, dict):
        return [(name, [_text(value)]) for name, value in single.items()]
    return []


def _header_entries_v2(event):
    headers = event.get("headers")
    entries = [(name, [_text(value)]) for name, value in headers.items()] if isinstance(headers, dict) else []
    cookies = event.get("cookies")
    if isinstance(cookies, list) and cookies:
        entries.append(("cookie", ["; ".join(_text(c) for c in cookies)]))
    return entries


def _complete_headers(entries, fallback_host, source_ip, request_context, lambda_context, base_path):
    headers = []
    forwarded_for = None
    has_host = has_proto = False
    for name, values in entries:
        lower = name.lower()
        if lower in REPLACED_HEADERS:
            continue
        if lower == "x-forwarded-for":
            joined = ", ".join(values)
            forwarded_for = joined if forwarded_for is None else f"{forwarded_for}, {joined}"
            continue
        if lower == "host":
            has_host = True
        if lower == "x-forwarded-proto":
            has_proto = True
        headers.extend((name, value) for value in values)
    if not has_host:
        headers.append(("host", fallback_host))
    if source_ip:
        last = None if forwarded_for is None else forwarded_for[forwarded_for.rfind(",") + 1:].strip()
        if last != source_ip:
            forwarded_for = source_ip if forwarded_for is None else f"{forwarded_for}, {source_ip}"
    if forwarded_for is not None:
        headers.append(("x-forwarded-for", forwarded_for))
    if not has_proto:
        headers.append(("x-forwarded-proto", "https"))
    if base_path:
        headers.append(("x-forwarded-prefix", base_path))
    headers.append(("x-amzn-request-context", ascii_json(request_context if request_context is not None else {})))
    headers.append(("x-amzn-lambda-context", lambda_context))
    return headers


def _utf8(text):
    """UTF-8 as Node's Buffer.from writes it: a lone surrogate becomes U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def _decode_body(event):
    body = event.get("body")
    if not isinstance(body, str):
        return b""
    if event.get("isBase64Encoded") is True:
        # Lenient like Node's decoder: the data ends at the first `=`, characters outside the alphabet are skipped,
        # missing padding is fine.
        data = body.replace("-", "+").replace("_", "/").partition("=")[0]
        alphabet_only = NOT_BASE64.sub("", data)
        if len(alphabet_only) % 4 == 1:
            alphabet_only = alphabet_only[:-1]  # a lone trailing character holds no whole byte
        # The decoder ignores padding beyond what the data needs.
        return base64.b64decode(alphabet_only + "==")
    return _utf8(body)


def _parse_http(event, fmt, base_path, lambda_context):
    context = event.get("requestContext") if isinstance(event.get("requestContext"), dict) else {}
    try:
        if fmt == "v2":
            http = context.get("http") if isinstance(context.get("http"), dict) else {}
            method = _require_string(http.get("method"), "requestContext.http.method")
            raw_path = event.get("rawPath")
            raw_path = _require_string(http.get("path") if raw_path is None else raw_path, "rawPath")
            query = event.get("rawQueryString") if isinstance(event.get("rawQueryString"), str) else ""
            entries = _header_entries_v2(event)
            source_ip = http.get("sourceIp")
        else:
            method = _require_string(event.get("httpMethod"), "httpMethod")
            raw_path = _require_string(event.get("path"), "path")
            query = _query_from_parameters(event, _text if fmt == "alb" else _encode_component)
            entries = _header_entries_v1(event)
            identity = context.get("identity")
            source_ip = identity.get("sourceIp") if isinstance(identity, dict) else None
    except _MissingField as missing:
        return Refused(fmt, 400, f"Bad request: the {FORMAT_NAMES[fmt]} has no {missing}")
    # Only a path goes on: the app's server would read the path inside an absolute-form target, unjudged.
    if not raw_path.startswith("/"):
        return Refused(fmt, 400, "Bad request: the request target must be a path, not a URL")
    path = _strip_base_path(raw_path, base_path)
    if is_reserved_path(path):
        return Refused(fmt, 404, f"Not found: paths under {RESERVED_PREFIX}/ are reserved for the Space runtime")
    body = _decode_body(event)
    if len(body) > BODY_LIMIT_BYTES:
        return Refused(fmt, 413, f"Payload too large: the request body is {len(body)} bytes, "
                                 f"the limit is {BODY_LIMIT_BYTES} bytes (5.5 MB)")
    domain = context.get("domainName") if isinstance(context.get("domainName"), str) else "localhost"
    headers = _complete_headers(entries, domain, source_ip if isinstance(source_ip, str) else None,
                                event.get("requestContext"), lambda_context, base_path)
    encoded_path = UNSAFE_PATH_CHARS.sub(lambda m: _encode_component(m.group(0)), path)
    target = f"{encoded_path}?{query}" if query else encoded_path
    return Http(fmt, AppRequest(method, target, headers, body))


def _parse_action(event, lambda_context):
    action = event.get("event")
    if not isinstance(action, dict) or not isinstance(action.get("id"), str) or action["id"] == "":
        return Unsupported("Spaceport.MalformedEvent", 'The spaceport.action event has no event.id: expected '
                           '{"source":"spaceport.action","event":{"id":"<action id>","trigger":"schedule"}}')
    text = json.dumps({"event": action}, separators=(",", ":"), ensure_ascii=False)
    # JSON.stringify escapes a lone surrogate, which UTF-8 cannot hold.
    body = LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text).encode("utf-8")
    headers = [("host", "localhost"), ("content-type", "application/json"), ("x-amzn-lambda-context", lambda_context)]
    return Action(action["id"], AppRequest("POST", ACTIONS_PATH, headers, body))


def _parse_app_action(event, lambda_context):
    request = event.get("request")
    if (not isinstance(request, dict) or request.get("method") not in ("GET", "POST")
            or not isinstance(request.get("path"), str) or not request["path"].startswith("/")):
        return Unsupported("Spaceport.MalformedEvent", 'The spaceport.app-action event needs request.method (GET or POST) '
                           'and request.path (a path): expected {"source":"spaceport.app-action","request":'
                           '{"method":"GET","path":"/__space/actions"}}')
    body = _utf8(request["body"]) if isinstance(request.get("body"), str) else b""
    headers = [("host", "localhost"), ("content-type", "application/json"), ("x-amzn-lambda-context", lambda_context)]
    return Http("v2", AppRequest(request["method"], request["path"], headers, body))


def _describe(value):
    if isinstance(value, list):
        return "a JSON array"
    if value is None:
        return "JSON null"
    if not isinstance(value, dict):
        kind = "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else "string"
        return f"a JSON {kind}"
    keys = list(value.keys())
    if not keys:
        return "an empty JSON object"
    return f"an object with keys {', '.join(keys[:5])}{', ...' if len(keys) > 5 else ''}"


def parse_event(raw, base_path, lambda_context):
    try:
        event = json.loads(raw)
    except ValueError:
        return Unsupported("Spaceport.UnsupportedEvent", "The event is not JSON")
    if isinstance(event, dict):
        if event.get("source") == ACTION_EVENT_SOURCE:
            return _parse_action(event, lambda_context)
        if event.get("source") == APP_ACTION_EVENT_SOURCE:
            return _parse_app_action(event, lambda_context)
        fmt = _format_of(event)
        if fmt is not None:
            return _parse_http(event, fmt, base_path, lambda_context)
    return Unsupported("Spaceport.UnsupportedEvent",
                       f"Spaceport cannot handle this event ({_describe(event)}): it serves API Gateway, function URL "
                       "and ALB HTTP requests, spaceport.action and spaceport.app-action events")
