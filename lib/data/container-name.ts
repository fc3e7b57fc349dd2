/**
 * The rule for a Base's or Drive's name, the one path segment after the project id. The JSON API applies it, and
 * the CloudFront Function in front of Drive downloads and parts runs this very function (its source is compiled
 * into the function's code), so it is written in the plain JavaScript that runtime understands.
 */

/** Why `name` cannot name a base or drive, as the API's error and its detail, or undefined when it can. */
export function containerNameProblem(name: string): [string, string] | undefined {
  if (name.trim() === '') return ['Name is empty', 'the path names no base or drive'];
  // A drive is the key prefix `<projectId>/<drive>/` in S3: a `/` in its name would reach into another drive's files.
  if (name.indexOf('/') !== -1) return ['Name must not contain /', JSON.stringify(name) + ' is not a base or drive name'];
  return undefined;
}
