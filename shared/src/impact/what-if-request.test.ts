import { describe, expect, it } from 'vitest';
import { dutchSchoolCalendar } from '../calendar/dutch-holidays.js';
import { ErrorCode, SluimerError } from '../errors.js';
import { DAY_MS } from '../time.js';
import { checkWhatIfScope, defaultWhatIfPeriod, parseWhatIfRequest } from './what-if-request.js';

const calendar = dutchSchoolCalendar('midden');
const now = Date.parse('2027-11-26T12:00:00Z'); // a Friday
const ctx = { now, calendar };
const policy = { settings: { sleepAfterSec: { ac: 1800 } } };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluimerError) return err.code;
    throw err;
  }
  return undefined;
}

describe('what-if request validation', () => {
  it('accepts a draft with a period and returns it parsed', () => {
    const r = parseWhatIfRequest(
      { policy, groupIds: [3], from: '2027-11-01T00:00:00Z', to: '2027-11-22T00:00:00Z' },
      ctx,
    );
    expect(r).toMatchObject({ groupIds: [3], deviceIds: [], defaultPeriod: false });
    expect(r.to - r.from).toBe(21 * DAY_MS);
    expect(r.policy.sleepAfterSec?.ac).toBe(1800);
  });

  it('refuses unknown fields at the top and inside the policy, naming the field', () => {
    expect(codeOf(() => parseWhatIfRequest({ policy, colour: 'red' }, ctx))).toBe(ErrorCode.Validation);
    try {
      parseWhatIfRequest({ policy: { settings: { sleepAfterSec: { ac: 1800, dc: 60 } } } }, ctx);
      expect.unreachable();
    } catch (err) {
      expect((err as SluimerError).details).toEqual({
        fields: [{ path: 'policy.settings.sleepAfterSec', message: expect.stringContaining('dc') }],
      });
    }
    expect(codeOf(() => parseWhatIfRequest({ policy: { settings: { sleepAfter: 5 } } }, ctx))).toBe(
      ErrorCode.Validation,
    );
  });

  it('refuses an absurd timeout with policy_out_of_bounds', () => {
    const zero = { settings: { sleepAfterSec: { ac: 0 } } };
    const week = { settings: { displayOffAfterSec: { battery: 7 * 24 * 3600 } } };
    expect(codeOf(() => parseWhatIfRequest({ policy: zero }, ctx))).toBe(ErrorCode.PolicyOutOfBounds);
    expect(codeOf(() => parseWhatIfRequest({ policy: week }, ctx))).toBe(ErrorCode.PolicyOutOfBounds);
  });

  it('refuses a period in the future, a period too long and a period back to front', () => {
    expect(codeOf(() => parseWhatIfRequest({ policy, from: now - DAY_MS, to: now + DAY_MS }, ctx))).toBe(
      ErrorCode.PeriodInFuture,
    );
    expect(codeOf(() => parseWhatIfRequest({ policy, from: now - 100 * DAY_MS, to: now }, ctx))).toBe(
      ErrorCode.PeriodTooLong,
    );
    expect(codeOf(() => parseWhatIfRequest({ policy, from: now - DAY_MS, to: now - 2 * DAY_MS }, ctx))).toBe(
      ErrorCode.Validation,
    );
    expect(codeOf(() => parseWhatIfRequest({ policy, from: 'last tuesday', to: now }, ctx))).toBe(
      ErrorCode.Validation,
    );
  });

  it('writes its messages in Dutch first and English second', () => {
    try {
      parseWhatIfRequest({ policy, from: now - DAY_MS, to: now + DAY_MS }, ctx);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(
        /^De periode eindigt in de toekomst.* \/ The period ends in the future/,
      );
    }
  });

  it('defaults to the last four school weeks, ending at local midnight today', () => {
    const r = parseWhatIfRequest({ policy }, ctx);
    expect(r.defaultPeriod).toBe(true);
    // Friday 26 Nov 2027 00:00 Amsterdam (CET)
    expect(r.to).toBe(Date.parse('2027-11-25T23:00:00Z'));
    // 20 school days back: Friday 29 Oct 2027 (the herfstvakantie ended 24 Oct)
    expect(r.from).toBe(Date.parse('2027-10-28T22:00:00Z'));
  });

  it('reaches over a vacation to find four school weeks', () => {
    // Friday 29 Oct 2027: the herfstvakantie (16–24 Oct) lies inside the last four school weeks
    const p = defaultWhatIfPeriod(calendar, Date.parse('2027-10-29T12:00:00Z'));
    expect((p.to - p.from) / DAY_MS).toBeGreaterThan(28 + 6);
  });
});

describe('what-if scope check', () => {
  it('names the unknown groups and devices with validation_failed, as the assign routes do', () => {
    const known = { hasGroup: (id: number) => id === 1, hasDevice: (id: number) => id < 10 };
    expect(() => checkWhatIfScope({ groupIds: [1], deviceIds: [2] }, known)).not.toThrow();
    try {
      checkWhatIfScope({ groupIds: [1, 7], deviceIds: [99] }, known);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SluimerError);
      expect((err as SluimerError).code).toBe(ErrorCode.Validation);
      expect((err as SluimerError).details).toEqual({ groupIds: [7], deviceIds: [99] });
    }
  });
});
