import { InventorySchema } from '@sluimer/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from './hardware.js';

afterEach(() => vi.restoreAllMocks());

describe('sluimer-agent hardware', () => {
  it('prints this machine’s hardware inventory as one line of JSON the console accepts', async () => {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, cb?: (e?: Error) => void) => {
      printed += chunk;
      cb?.();
      return true;
    }) as typeof process.stdout.write);
    expect(await command([])).toBe(0);
    expect(printed.endsWith('\n')).toBe(true);
    const inv = InventorySchema.parse(JSON.parse(printed));
    expect(inv.readAt).toBeGreaterThan(0);
  }, 60_000);

  it('refuses arguments with a usage line', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await command(['--json'])).toBe(2);
    expect(err).toHaveBeenCalledWith(expect.stringContaining('Usage: sluimer-agent hardware'));
  });
});
