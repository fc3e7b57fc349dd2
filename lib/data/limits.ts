/**
 * Deta's documented limits (Base: DynamoDB's own batch and item limits; Drive: the SDKs' fixed 10 MiB parts),
 * held the same locally and in the cloud.
 */
const KIB = 1024;
const MIB = 1024 * KIB;

/** Items in one `PUT /items`. */
export const MAX_PUT_ITEMS = 25;
/** One Base request body. */
export const MAX_BASE_REQUEST_BYTES = 16 * MIB;
/** One item, as its JSON. */
export const MAX_ITEM_BYTES = 400 * KIB;
/** A key, as UTF-8 (DynamoDB's limit for a sort key). */
export const MAX_KEY_BYTES = 1024;
/** Items a query page returns when the request names no limit (the SDKs send 1000). */
export const DEFAULT_QUERY_LIMIT = 1000;
/**
 * Item bytes a query examines before it answers with what matched so far and a `last` to resume from (Deta
 * documents this 1 MB window, a DynamoDB Query page).
 */
export const QUERY_SCAN_BYTES = 1 * MIB;
/** Generated keys: 12 lower-case letters and digits, like Deta's. */
export const GENERATED_KEY_LENGTH = 12;

/** One upload part (the SDKs send 10 MiB parts) or one single-request `POST /files`. */
export const MAX_PART_BYTES = 10 * MIB;
/** Names in one `DELETE /files`, and names in one listing page. */
export const MAX_DRIVE_NAMES = 1000;
/** A file name, as UTF-8 (S3's object key limit less room for the `<projectId>/<drive>/` prefix). */
export const MAX_NAME_BYTES = 900;
/** Levels of nesting in an item (DynamoDB's limit for documents). */
export const MAX_ITEM_DEPTH = 32;
