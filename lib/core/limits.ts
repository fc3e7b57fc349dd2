/**
 * Every limit a micro runs under, stated once. The cloud constructs give them to each micro's function, the local
 * runtime (dev router, emulator) enforces them, and both adapters read them (the Python adapter through
 * `spaceport_adapter/constants.py`, generated from this module by runtime-layer/build.mjs).
 */

/** Deta Space's limits of every micro, which its cloud function (`SpaceMicro`) and `spaceport dev` both apply. */
export const SPACE_MICRO_LIMITS = { memoryMb: 512, timeoutSeconds: 20, tmpMb: 512 } as const;

/** Deta Space's HTTP payload limit, each way, measured on the decoded body (413 beyond): 5.5 MiB. */
export const BODY_LIMIT_BYTES = 5_767_168;

/** Largest event Lambda accepts for a synchronous invocation (6 * 1024 * 1024 bytes). */
export const MAX_INVOKE_REQUEST_BYTES = 6_291_456;

/**
 * Largest response Lambda returns to a buffered caller, as in the RIE's `interop.MaxPayloadSize`. A streamed
 * response gets the same limit locally: the emulator's callers (the HTTP API front door, the Invoke API) are
 * buffered, as in the cloud; only function URLs and InvokeWithResponseStream take up to 200 MB.
 */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** Lambda's limit on a function's environment: every key and value, in bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/** Processes and threads an execution environment may run at once, as Lambda allows. */
export const MAX_PROCESSES = 1024;

/**
 * How long the front door waits for a micro: API Gateway's integration timeout (30 s at most; 29 s leaves the margin
 * CDK insists on). SpaceRouter sets it and the dev router enforces it.
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** Open file descriptors of each process of an execution environment (soft and hard), as Lambda allows. */
export const MAX_OPEN_FILES = 1024;
