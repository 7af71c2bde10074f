export * from './bounds.js';
export * from './clock-offset.js';
export * from './hardware-inventory.js';
export * from './idle.js';
export * from './nudges.js';
export * from './sampling.js';
export * from './targets.js';
export * from './timeline.js';
