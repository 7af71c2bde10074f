export * from './idle.js';
export * from './targets.js';
export * from './nudges.js';
