export * from './days-off.js';
export * from './dutch-holidays.js';
export * from './school-calendar.js';
