/**
 * The rule for an upload part's number. The JSON API applies it, and the CloudFront Function in front of upload parts
 * runs this very function (its source is compiled into the function's code), so a part number API Gateway would hand
 * to S3 as something else (`01` as part 1, echoed back as `"part":01`, which is not JSON) is refused at the edge with
 * the same answer. Written in the plain JavaScript that runtime understands, with no outside names.
 */

/** Why `part` (the decoded `part` query parameter) is no part number, as the API's error and its detail, or undefined. */
export function partNumberProblem(part: string | null): [string, string] | undefined {
  // 1 to S3's (and so the cloud's) highest part number, 10000, written plainly: no `01`, `1e3`, `+1` or `1.0`.
  if (typeof part === 'string' && /^[1-9][0-9]*$/.test(part) && Number(part) <= 10000) return undefined;
  return ['Invalid part number', 'part is ' + JSON.stringify(part) + '; parts are numbered 1 to 10000'];
}
