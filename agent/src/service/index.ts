export * from './agent.js';
export * from './enroll.js';
export * from './link.js';
export * from './log.js';
export * from './outbox.js';
export * from './policy.js';
export * from './store.js';
