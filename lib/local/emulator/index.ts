/** The local Lambda emulator: Runtime API, execution environments as real processes, and the sandbox probe. */
export * from './runtime-api-server';
export * from './execution-environment';
export * from './sandbox';
export * from './invoke-server';
export * from './invoke-request';
export { PLACEHOLDER_CREDENTIALS, type AwsCredentials } from './lambda-variables';
