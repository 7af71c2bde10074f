// Moved to usage/usage.ts. This re-export only keeps the ingest modules (gateway.ts, summary.ts,
// store/recompute.ts), which another branch is moving into agents/ and ingest/, compiling until that
// branch lands; then they import usage/usage.js directly and this file goes.
export * from './usage/usage.js';
