export * from './api.js';
export * from './energy.js';
export * from './errors.js';
export * from './intervals.js';
export * from './inventory.js';
export * from './policy.js';
export * from './protocol.js';
export * from './time.js';
