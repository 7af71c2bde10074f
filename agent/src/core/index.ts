export * from './idle.js';
export * from './nudges.js';
export * from './targets.js';
