export * from './idle.js';
export * from './targets.js';
