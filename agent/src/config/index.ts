export * from './ca.js';
export * from './config.js';
