export * from './notifier.js';
export * from './notify.js';
