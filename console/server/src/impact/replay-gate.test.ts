import { describe, expect, it } from 'vitest';
import { GateFullError, ReplayGate } from './replay-gate.js';

function deferred() {
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { done, release };
}

describe('ReplayGate', () => {
  it('runs one job at a time, in arrival order, and refuses jobs past the queue', async () => {
    const gate = new ReplayGate(2);
    const order: string[] = [];
    const first = deferred();
    const a = gate.run(async () => {
      order.push('a starts');
      await first.done;
      order.push('a ends');
      return 'a';
    });
    const b = gate.run(async () => {
      order.push('b starts');
      return 'b';
    });
    const c = gate.run(async () => {
      order.push('c starts');
      return 'c';
    });
    // one running and two waiting: the fourth is refused at once
    await expect(gate.run(async () => 'd')).rejects.toBeInstanceOf(GateFullError);
    await Promise.resolve();
    expect(order).toEqual(['a starts']);
    expect(gate.size).toBe(3);
    first.release();
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['a starts', 'a ends', 'b starts', 'c starts']);
    expect(gate.size).toBe(0);
  });

  it('lets the next job run after one fails', async () => {
    const gate = new ReplayGate(1);
    const failing = gate.run(async () => {
      throw new Error('broken');
    });
    const next = gate.run(async () => 'ran');
    await expect(failing).rejects.toThrow('broken');
    expect(await next).toBe('ran');
    expect(await gate.run(async () => 'again')).toBe('again');
  });
});
