// Moved to auth/rate-limit.ts. This re-export only keeps the ingest modules (gateway.ts, summary.ts,
// store/recompute.ts), which another branch is moving into agents/ and ingest/, compiling until that
// branch lands; then they import auth/rate-limit.js directly and this file goes.
export * from './auth/rate-limit.js';
