export * from './platform/types.js';
