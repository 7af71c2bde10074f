/**
 * Error codes a program can switch on. Every error that crosses a process boundary (an `error`
 * frame, an HTTP error body, a CLI failure) carries one of these plus a message a person can act on.
 */
export const ErrorCode = {
  // frames on the agent socket
  BadJson: 'bad_json',
  BadFrame: 'bad_frame',
  BinaryFrame: 'binary_frame',
  UnknownType: 'unknown_type',
  FrameTooLarge: 'frame_too_large',
  TooManyIntervals: 'too_many_intervals',
  HelloRequired: 'hello_required',
  UnsupportedProtocol: 'unsupported_protocol',
  BadSeq: 'bad_seq',
  /** seq above 2^31 − 1 or more than 1,000,000 above the stored one: nothing stored */
  SeqOutOfRange: 'seq_out_of_range',
  BadInterval: 'bad_interval',
  IntervalOverlap: 'interval_overlap',
  /** an interval shorter than LIMITS.minIntervalMs (1 s) */
  IntervalTooShort: 'interval_too_short',
  IntervalInFuture: 'interval_in_future',
  IntervalTooOld: 'interval_too_old',
  RateLimited: 'rate_limited',
  // HTTP API
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Validation: 'validation_failed',
  Conflict: 'conflict',
  TooManyRequests: 'too_many_requests',
  /** too many failed logins for this account from this address (or from this address at all); see Retry-After */
  LoginLocked: 'login_locked',
  /** the API token is past its expiry; make a new one */
  TokenExpired: 'token_expired',
  BadEnrollSecret: 'bad_enroll_secret',
  EnrollSecretExpired: 'enroll_secret_expired',
  EnrollSecretRevoked: 'enroll_secret_revoked',
  /** the enroll secret has enrolled as many devices as its `deviceLimit` allows */
  EnrollLimitReached: 'enroll_limit_reached',
  CsrfFailed: 'csrf_failed',
  /** the request's Host is not a name this console answers to (DNS rebinding guard; HTTP 421) */
  HostNotAllowed: 'host_not_allowed',
  StorageUnavailable: 'storage_unavailable',
  Internal: 'internal_error',
  /** impact: a what-if or savings period that ends in the future */
  PeriodInFuture: 'period_in_future',
  /** impact: a what-if or savings period longer than the limit */
  PeriodTooLong: 'period_too_long',
  /** lifecycle: a purchase CSV with wrong lines; details.errors names each line; nothing was stored */
  PurchaseImportInvalid: 'purchase_import_invalid',
  // agent side
  PolicyOutOfBounds: 'policy_out_of_bounds',
  Unsupported: 'unsupported',
  NeedsAdmin: 'needs_admin',
  CommandFailed: 'command_failed',
  ParseFailed: 'parse_failed',
  /** the OS or Group Policy/MDM/dconf lock holds another value than the one written */
  OverriddenByPolicy: 'overridden_by_policy',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable code; `message` is written for the person who has to act on it. */
export class SluimerError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SluimerError';
    this.code = code;
    this.details = details;
  }
}

export function isSluimerError(err: unknown): err is SluimerError {
  return err instanceof SluimerError;
}
