export * from './clock-offset.js';
export * from './idle.js';
export * from './nudges.js';
export * from './sampling.js';
export * from './targets.js';
