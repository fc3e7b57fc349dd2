/** Spaceport's public API: the Spacefile model, the CDK constructs and the local runtime. */
export * from './spacefile/model';
export * from './spacefile/interval';
export * from './spacefile/load';
export * from './spacefile/problems';
export * from './spacefile/engines';
export * from './routing/routes';
export * from './constructs/index';
export * from './packaging/index';
export * from './local/emulator';
export * from './local/http-api-event';
export * from './local/dev/index';
export * from './auth/rules';
export * from './auth/policy';
export * from './auth/api-keys';
export * from './auth/session';
export * from './auth/local';
export * from './auth/construct';
