// Moved to energy/energy-profile.ts. This re-export only keeps the ingest modules (gateway.ts, summary.ts,
// store/recompute.ts), which another branch is moving into agents/ and ingest/, compiling until that
// branch lands; then they import energy/energy-profile.js directly and this file goes.
export * from './energy/energy-profile.js';
