export * from './api-client.js';
export * from './fleet.js';
export * from './protocol-agent.js';
export * from './util.js';
