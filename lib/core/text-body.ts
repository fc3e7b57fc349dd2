/**
 * Which HTTP bodies travel as text in Lambda's HTTP events and results; everything else travels base64. A body is
 * text when it has no `Content-Encoding` and its `Content-Type` is `text/*`, JSON, JavaScript, XML or YAML, or a
 * `+json`/`+xml`/`+yaml` type (so `application/jwk-set+json` is text, a gzip'd JSON body is not). Shared by the
 * adapter (responses) and the local router (requests), so both sides of the event agree.
 */
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|yaml)\b)|\+(json|xml|yaml)\b/i;

export function isTextBody(contentType: string | undefined, contentEncoding: string | undefined): boolean {
  if (contentEncoding !== undefined) return false;
  return contentType !== undefined && TEXT_TYPES.test(contentType.trim());
}
