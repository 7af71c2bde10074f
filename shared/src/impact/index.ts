export * from './before-after.js';
export * from './recommended-policy.js';
export * from './waste-causes.js';
export * from './what-if.js';
export * from './what-if-request.js';
export * from './what-if-response.js';
