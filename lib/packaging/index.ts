export * from './micro-code';
export * from './file-selection';
export * from './dependencies';
export * from './steps';
export * from './node-bundle';
