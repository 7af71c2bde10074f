export * from './battery-history.js';
export * from './behaviour.js';
export * from './calendar.js';
export * from './fleet-plan.js';
export * from './rng.js';
