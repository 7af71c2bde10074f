import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_BIN, readHardwareInChild } from './hardware-process.js';

const node = (script: string) => ({ file: process.execPath, args: ['-e', script] });

describe('readHardwareInChild', () => {
  it('finds the agent launcher two folders up, where the bundle and the tsc output find it too', () => {
    expect(
      AGENT_BIN.endsWith('/agent/bin/sluimer-agent.js') ||
        AGENT_BIN.endsWith('\\agent\\bin\\sluimer-agent.js'),
    ).toBe(true);
    expect(existsSync(AGENT_BIN)).toBe(true);
  });

  it('returns the JSON the child prints', async () => {
    const inv = await readHardwareInChild({
      command: node('process.stdout.write(JSON.stringify({ model: "ProBook", readAt: 5 }) + "\\n")'),
    });
    expect(inv).toEqual({ model: 'ProBook', readAt: 5 });
  });

  it('rejects with the exit code and the last error line when the child fails', async () => {
    await expect(
      readHardwareInChild({
        command: node('console.error("dmidecode: permission denied"); process.exit(3)'),
      }),
    ).rejects.toThrow('hardware reading exited with 3: dmidecode: permission denied');
  });

  it('kills a child that does not finish in time', async () => {
    const started = Date.now();
    await expect(
      readHardwareInChild({ command: node('setInterval(() => {}, 1000)'), timeoutMs: 300 }),
    ).rejects.toThrow('hardware reading took longer than 300 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rejects output that is not JSON or is too large', async () => {
    await expect(readHardwareInChild({ command: node('console.log("model: ProBook")') })).rejects.toThrow(
      'printed no JSON',
    );
    await expect(
      readHardwareInChild({ command: node('process.stdout.write("x".repeat(100000))'), maxBytes: 1000 }),
    ).rejects.toThrow('more than 1000 bytes');
  });

  it('rejects when the program cannot be started', async () => {
    await expect(
      readHardwareInChild({ command: { file: '/nonexistent/sluimer-node', args: [] } }),
    ).rejects.toThrow(/ENOENT/);
  });
});
