export * from './advice.js';
export * from './fleet.js';
export * from './options.js';
export * from './purchases.js';
export * from './report.js';
