// Moved to auth/crypto.ts. This re-export only keeps the ingest modules (gateway.ts, summary.ts,
// store/recompute.ts), which another branch is moving into agents/ and ingest/, compiling until that
// branch lands; then they import auth/crypto.js directly and this file goes.
export * from './auth/crypto.js';
