export * from './recommended-policy.js';
export * from './what-if.js';
