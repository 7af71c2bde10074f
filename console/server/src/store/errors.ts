// Errors every store throws for the same cases, so that routes and domain code catch them without
// knowing which store is behind the interface.

/** Thrown for a unique-constraint clash (a username or install id that exists). */
export class ConflictError extends Error {}

/** Thrown by enrollDevice when the enroll secret has enrolled as many devices as its limit allows. */
export class LimitReachedError extends Error {}

/** Thrown by Store.commitIngest when a device no longer matches what the batch was computed from. */
export class IngestConflictError extends Error {
  constructor(readonly deviceId: number) {
    super(`device ${deviceId} changed while its reports were being stored`);
  }
}
