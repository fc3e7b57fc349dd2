/**
 * The CloudFront Function (runtime cloudfront-js-2.0) in front of the two routes whose bytes never pass through
 * Lambda: Drive downloads (read from S3 through origin access control) and upload parts (put into S3 by API
 * Gateway). It runs at the edge on the viewer request and
 *
 * - lets through only the exact shapes of the two routes, judged on the whole path as sent: the pattern's `*` also
 *   matches `/`, so `/v1/p/d/x/../files/download` or a trailing slash would otherwise reach S3 or API Gateway under
 *   a reading the JSON API never makes; every variable segment must decode to one segment (no `/` after decoding,
 *   an upload id no `.` or `..`), and the drive name must pass the API's own rule (`containerNameProblem`);
 * - lets through only the app's project key (`X-API-Key`, any case, compared by SHA-256 digest) and project id,
 *   answering anything else with the JSON error the SDKs read;
 * - decodes `name` from the query string as a form value (Python's `quote_plus` sends spaces as `+`);
 * - refuses a part number the JSON API would refuse (`partNumberProblem`), with its answer, and forwards a part's
 *   `name` and `part` as the single values it checked (API Gateway reads the last of a repeated parameter);
 * - for a download, turns `/v1/{pid}/{drive}/files/download?name=...` into the object key
 *   `/{pid}/{drive}/{name}` (the S3 store's `driveObjectKey`), every piece percent-encoded so `/`, `.` and `..`
 *   inside a name stay in the key rather than becoming path segments;
 * - for a part, re-encodes `name` canonically, so API Gateway hands S3 exactly the key the upload started with.
 *
 * The key is compiled into the function (CloudFormation resolves the dynamic reference at deploy time), the same
 * exposure as a micro's `DETA_PROJECT_KEY`: whoever may read the function's code may read the functions' settings.
 */
import { containerNameProblem } from '../data/container-name';
import { partNumberProblem } from '../data/part-number';

/** The CloudFront path patterns (`*` matches anything, `/` included) of the two routes the function guards. */
export const DRIVE_DOWNLOAD_PATTERN = '/v1/*/files/download';
export const DRIVE_PARTS_PATTERN = '/v1/*/uploads/*/parts';

export interface EdgeFunctionInputs {
  /** The app's project key, or a deploy-time dynamic reference to it (letters, digits and `_` only). */
  readonly projectKey: string;
  readonly projectId: string;
}

export function edgeFunctionCode(inputs: EdgeFunctionInputs): string {
  return `var crypto = require('crypto');
var PROJECT_ID = ${JSON.stringify(inputs.projectId)};
function digest(value) { return crypto.createHash('sha256').update(value).digest('hex'); }
function reply(status, description, messages) {
  return {
    statusCode: status,
    statusDescription: description,
    headers: { 'content-type': { value: 'application/json' } },
    body: { encoding: 'text', data: JSON.stringify({ errors: messages }) },
  };
}
function formValue(parameter) {
  if (!parameter || parameter.value === undefined) return undefined;
  try { return decodeURIComponent(parameter.value.replace(/\\+/g, ' ')); } catch (e) { return null; }
}
${containerNameProblem.toString()}
${partNumberProblem.toString()}
function encodePiece(piece) {
  return encodeURIComponent(piece).replace(/\\./g, '%2E');
}
function handler(event) {
  var request = event.request;
  var key = request.headers['x-api-key'];
  if (!key || digest(key.value) !== digest('${inputs.projectKey}')) {
    return reply(401, 'Unauthorized', ['Unauthorized', 'the X-API-Key is not this app\\'s project key']);
  }
  var segments = request.uri.split('/');
  var isDownload = segments.length === 6 && segments[4] === 'files' && segments[5] === 'download';
  var isPart = segments.length === 7 && segments[4] === 'uploads' && segments[6] === 'parts';
  if (segments[0] !== '' || segments[1] !== 'v1' || !(isDownload || isPart)) {
    return reply(404, 'Not Found', ['Not found', request.uri + ' is no Drive download or upload part']);
  }
  var projectId, drive, uploadId;
  try {
    projectId = decodeURIComponent(segments[2]);
    drive = decodeURIComponent(segments[3]);
    if (isPart) uploadId = decodeURIComponent(segments[5]);
  } catch (e) {
    return reply(400, 'Bad Request', ['Malformed percent-encoding', 'the path is not valid percent-encoded UTF-8']);
  }
  if (projectId !== PROJECT_ID) {
    return reply(401, 'Unauthorized', ['Unauthorized', 'the project key belongs to project ' + PROJECT_ID + ', not ' + projectId]);
  }
  var problem = containerNameProblem(drive);
  if (problem) return reply(400, 'Bad Request', problem);
  if (isPart && (uploadId === '' || uploadId === '.' || uploadId === '..' || uploadId.indexOf('/') !== -1)) {
    return reply(404, 'Not Found', ['Upload not found', 'no upload of this name is in progress']);
  }
  var name = formValue(request.querystring.name);
  if (name === null) return reply(400, 'Bad Request', ['Malformed percent-encoding', 'the name is not valid percent-encoded UTF-8']);
  if (name === undefined || name.trim() === '') return reply(400, 'Bad Request', ['Name is empty', 'pass the file name as ?name=']);
  // What API Gateway would hand S3 as another number (or echo as invalid JSON) gets the JSON API's answer here.
  var part = formValue(request.querystring.part);
  var partProblem = isPart ? partNumberProblem(part === undefined ? null : part) : undefined;
  if (partProblem) return reply(400, 'Bad Request', partProblem);
  if (segments[4] === 'files') {
    // S3 needs no key (CloudFront signs the request); API Gateway checks it again as its API key.
    delete request.headers['x-api-key'];
    request.uri = '/' + [PROJECT_ID, drive, name].map(encodePiece).join('/');
    request.querystring = {};
  } else {
    // Exactly the values checked: of a repeated parameter this function reads the first, API Gateway the last.
    request.querystring.name = { value: encodeURIComponent(name) };
    request.querystring.part = { value: part };
  }
  return request;
}
`;
}
