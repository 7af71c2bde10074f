import type { Blocker } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { presentingFromBlockers } from './presenting.js';

const b = (name: string, blocks: string[], extra: Partial<Blocker> = {}): Blocker => ({
  name,
  kind: 'process',
  blocks,
  ...extra,
});

describe('presentation from the blockers the service lists', () => {
  it('counts a request that keeps the display on (PowerPoint on Windows, Keynote on a Mac)', () => {
    expect(presentingFromBlockers([b('POWERPNT.EXE', ['display'])])).toBe(true);
    expect(presentingFromBlockers([b('Keynote', ['display'])])).toBe(true);
  });

  it('counts an idle inhibitor from a video player, also when its mode could not be read', () => {
    expect(presentingFromBlockers([b('firefox', ['idle'])])).toBe(true);
    expect(presentingFromBlockers([b('vlc', ['sleep', 'idle'], { possible: true })])).toBe(true);
  });

  it('does not count sleep-only or system requests, nor Sluimer itself', () => {
    expect(presentingFromBlockers([])).toBe(false);
    expect(presentingFromBlockers([b('MoUsoCoreWorker.exe', ['execution'])])).toBe(false);
    expect(presentingFromBlockers([b('prevent-sleep', ['sleep'])])).toBe(false);
    expect(presentingFromBlockers([b('caffeinate', ['system'])])).toBe(false);
    expect(presentingFromBlockers([b('Sluimer', ['idle'])])).toBe(false);
    expect(presentingFromBlockers([{ name: 'x', kind: 'driver' }])).toBe(false);
  });
});
