import { z } from 'zod';
import { type CalendarDayInfo, compileCalendar, type SchoolCalendar } from '../calendar/school-calendar.js';
import { ErrorCode, SluimerError } from '../errors.js';
import { EARLIEST_VALID_MS } from '../intervals.js';
import { type PolicySettings, PolicySettingsSchema } from '../policy.js';
import { DAY_MS, MINUTE_MS, parseTimeParam } from '../time.js';

/** Bounds of a what-if request (docs/impact.md). */
export const WHAT_IF_LIMITS = {
  /** the longest period one request may replay */
  maxPeriodDays: 92,
  /** the default period: the last this many school days (four school weeks) */
  defaultSchoolDays: 20,
  /** how far a period's end may lie ahead of the console clock (clock skew, not the future) */
  futureSlackMs: 2 * MINUTE_MS,
  maxGroupIds: 1000,
  maxDeviceIds: 100_000,
} as const;

const timeParam = z.union([z.string().min(1).max(40), z.number().int()]);

/** `POST /api/v1/what-if`: a draft policy as for `POST /policies` (name optional), a scope and a period. */
export const WhatIfRequestSchema = z
  .object({
    policy: z
      .object({
        name: z.string().trim().min(1).max(100).optional(),
        description: z.string().max(1000).optional(),
        settings: PolicySettingsSchema,
      })
      .strict(),
    groupIds: z.array(z.number().int().positive()).max(WHAT_IF_LIMITS.maxGroupIds).optional(),
    deviceIds: z.array(z.number().int().positive()).max(WHAT_IF_LIMITS.maxDeviceIds).optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
  })
  .strict();
export type WhatIfRequestBody = z.input<typeof WhatIfRequestSchema>;

export interface WhatIfRequest {
  policy: PolicySettings;
  policyName?: string;
  groupIds: number[];
  deviceIds: number[];
  from: number;
  to: number;
  /** true when the request named no period and the default (last four school weeks) was used */
  defaultPeriod: boolean;
}

/** Every failing field as `{path, message}`, the shape the API's `validation_failed` details use. */
function fieldsOf(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function bounds(path: PropertyKey[]): boolean {
  return path[0] === 'policy' && path[1] === 'settings';
}

/**
 * Validates a what-if body. Throws a SluimerError: `policy_out_of_bounds` for a setting outside its
 * bounds (a zero or absurd timeout), `validation_failed` for unknown fields and malformed values,
 * `period_in_future` and `period_too_long` for the period. The default period needs the school
 * calendar; `now` is the console clock.
 */
export function parseWhatIfRequest(
  body: unknown,
  ctx: { now: number; calendar: SchoolCalendar },
): WhatIfRequest {
  const parsed = WhatIfRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(body)';
    if (bounds(issue.path) && (issue.code === 'too_big' || issue.code === 'too_small')) {
      throw new SluimerError(
        ErrorCode.PolicyOutOfBounds,
        `Instelling ${where} ligt buiten de grenzen: ${issue.message}. / Setting ${where} is out of bounds: ${issue.message}.`,
        { fields: fieldsOf(parsed.error.issues) },
      );
    }
    throw new SluimerError(
      ErrorCode.Validation,
      `Ongeldig verzoek bij ${where}: ${issue.message}. / Invalid request at ${where}: ${issue.message}.`,
      { fields: fieldsOf(parsed.error.issues) },
    );
  }
  const b = parsed.data;
  const parse = (v: string | number | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const t = typeof v === 'number' ? v : parseTimeParam(v);
    if (!Number.isFinite(t) || t < EARLIEST_VALID_MS) {
      throw new SluimerError(
        ErrorCode.Validation,
        `${name} is geen geldige tijd (ISO 8601 of epoch-ms). / ${name} is not a valid time (ISO 8601 or epoch ms).`,
        { field: name },
      );
    }
    return t;
  };
  let from = parse(b.from, 'from');
  let to = parse(b.to, 'to');
  const defaultPeriod = from === undefined && to === undefined;
  if (defaultPeriod) {
    const d = defaultWhatIfPeriod(ctx.calendar, ctx.now);
    from = d.from;
    to = d.to;
  } else if (to === undefined) {
    to = ctx.now;
  } else if (from === undefined) {
    from = to - 28 * DAY_MS;
  }
  checkPeriod(from!, to!, ctx.now);
  const out: WhatIfRequest = {
    policy: b.policy.settings,
    groupIds: b.groupIds ?? [],
    deviceIds: b.deviceIds ?? [],
    from: from!,
    to: to!,
    defaultPeriod,
  };
  if (b.policy.name !== undefined) out.policyName = b.policy.name;
  return out;
}

/** Checks a period's order, its end against the clock and its length; throws a SluimerError. */
export function checkPeriod(
  from: number,
  to: number,
  now: number,
  maxDays: number = WHAT_IF_LIMITS.maxPeriodDays,
): void {
  if (to <= from) {
    throw new SluimerError(ErrorCode.Validation, 'from moet voor to liggen. / from must be before to.', {
      from,
      to,
    });
  }
  if (to > now + WHAT_IF_LIMITS.futureSlackMs) {
    throw new SluimerError(
      ErrorCode.PeriodInFuture,
      'De periode eindigt in de toekomst; kies een periode die al voorbij is. / The period ends in the future; choose a period that has passed.',
      { to, now },
    );
  }
  if (to - from > maxDays * DAY_MS) {
    throw new SluimerError(
      ErrorCode.PeriodTooLong,
      `De periode is langer dan ${maxDays} dagen; kies een kortere. / The period is longer than ${maxDays} days; choose a shorter one.`,
      { from, to, maxDays },
    );
  }
}

/**
 * The last four school weeks before today (local midnight), in the school's calendar: back from
 * yesterday until 20 school days are in, at most the longest period. Vacation weeks in between stay
 * in the period (it is one span), but add no school days.
 */
export function defaultWhatIfPeriod(calendar: SchoolCalendar, now: number): { from: number; to: number } {
  const cal = compileCalendar(calendar);
  const today = cal.dayAt(now);
  const to = today.start;
  let day: CalendarDayInfo = today;
  let count = 0;
  let from = to;
  while (count < WHAT_IF_LIMITS.defaultSchoolDays) {
    const prev = cal.dayAt(day.start - 1);
    if (to - prev.start > WHAT_IF_LIMITS.maxPeriodDays * DAY_MS) break;
    day = prev;
    from = day.start;
    if (day.type === 'school_day') count++;
  }
  return { from, to };
}

/**
 * Names the groups and devices of a request that do not exist (or the caller may not see):
 * `validation_failed` with the unknown ids in `details`, as the policy assign routes answer, so
 * nothing is replayed for a half-known scope.
 */
export function checkWhatIfScope(
  req: Pick<WhatIfRequest, 'groupIds' | 'deviceIds'>,
  known: { hasGroup: (id: number) => boolean; hasDevice: (id: number) => boolean },
): void {
  const groups = req.groupIds.filter((id) => !known.hasGroup(id));
  const devices = req.deviceIds.filter((id) => !known.hasDevice(id));
  if (groups.length === 0 && devices.length === 0) return;
  const list = [...groups.map((g) => `groep ${g}`), ...devices.map((d) => `apparaat ${d}`)]
    .slice(0, 10)
    .join(', ');
  const listEn = [...groups.map((g) => `group ${g}`), ...devices.map((d) => `device ${d}`)]
    .slice(0, 10)
    .join(', ');
  throw new SluimerError(ErrorCode.Validation, `Onbekend: ${list}. / Unknown: ${listEn}.`, {
    groupIds: groups.slice(0, 100),
    deviceIds: devices.slice(0, 100),
  });
}
