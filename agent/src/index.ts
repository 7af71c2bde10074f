export * from './platform/simulated/index.js';
export * from './platform/types.js';
export * from './service/index.js';
