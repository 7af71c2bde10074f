import { describe, expect, it } from 'vitest';
import { advanceTimeline, type ClockReading, startTimeline, type TimelineState } from './timeline.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** clock sources under test control: awake time, suspend, and wall steps */
function sources(withBoot = true) {
  const c = { wall: Date.UTC(2026, 2, 10, 8), mono: 5_000, boot: 60_000 };
  const read = (): ClockReading => ({ wall: c.wall, mono: c.mono, boot: withBoot ? c.boot : null });
  return {
    read,
    awake(ms: number) {
      c.wall += ms;
      c.mono += ms;
      c.boot += ms;
    },
    suspend(ms: number) {
      c.wall += ms;
      c.boot += ms;
    },
    step(ms: number) {
      c.wall += ms;
    },
  };
}

function follow(src: ReturnType<typeof sources>, s: TimelineState) {
  const out = advanceTimeline(s, src.read());
  return out;
}

describe('timeline', () => {
  it('equals the wall clock while nobody sets the clock', () => {
    const src = sources();
    let s = startTimeline(src.read());
    for (let i = 0; i < 10; i++) {
      src.awake(MIN);
      const out = follow(src, s);
      expect(out.changes).toEqual([]);
      s = out.state;
      expect(s.now).toBe(src.read().wall);
    }
  });

  it('keeps every minute when the clock is set back, and does not take a step forward for a suspend', () => {
    const src = sources();
    const start = startTimeline(src.read());
    src.awake(30 * MIN);
    let s = follow(src, start).state;
    src.step(-HOUR);
    src.awake(MIN);
    let out = follow(src, s);
    expect(out.changes).toEqual([{ kind: 'step', ms: -HOUR }]);
    expect(out.now - start.now).toBe(31 * MIN);
    s = out.state;
    src.step(2 * HOUR); // NTP corrects the other way
    src.awake(MIN);
    out = follow(src, s);
    expect(out.changes).toEqual([{ kind: 'step', ms: 2 * HOUR }]);
    expect(out.now - start.now).toBe(32 * MIN);
  });

  it('counts a real suspend from the boot clock and tells it apart from a step in the same gap', () => {
    const src = sources();
    const start = startTimeline(src.read());
    src.awake(MIN);
    src.suspend(40 * MIN);
    src.step(-10 * MIN);
    src.awake(MIN);
    const out = follow(src, start);
    expect(out.changes).toEqual([
      { kind: 'suspend', ms: 40 * MIN },
      { kind: 'step', ms: -10 * MIN },
    ]);
    expect(out.now - start.now).toBe(42 * MIN);
  });

  it('follows small corrections (NTP slewing, a coarse boot clock) without calling them steps', () => {
    const src = sources();
    const s = startTimeline(src.read());
    src.awake(MIN);
    src.step(1_500);
    const out = follow(src, s);
    expect(out.changes).toEqual([]);
    expect(out.now).toBe(src.read().wall);
  });

  it('without a boot clock: a step back is still kept, a suspend is seen from the wall clock', () => {
    const src = sources(false);
    const start = startTimeline(src.read());
    src.awake(MIN);
    src.step(-HOUR);
    src.awake(MIN);
    let out = follow(src, start);
    expect(out.now - start.now).toBe(2 * MIN);
    src.suspend(20 * MIN);
    out = follow(src, out.state);
    expect(out.now - start.now).toBe(22 * MIN);
  });

  it('never runs backwards', () => {
    const src = sources();
    let s = startTimeline(src.read());
    for (const step of [-HOUR, -MIN, 10 * MIN, -3 * HOUR]) {
      const before = s.now;
      src.step(step);
      src.awake(10_000);
      s = follow(src, s).state;
      expect(s.now).toBeGreaterThanOrEqual(before);
    }
  });
});
