import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The agent's launcher. This module sits two folders below the package in every form it runs from
 * (src/service, dist/service, dist/bundle), so the same relative path finds it. Not written as a
 * literal `new URL('…', import.meta.url)`: the bundler would take that for an asset to copy.
 */
const BIN_FROM_HERE = '../../bin/sluimer-agent.js';
export const AGENT_BIN = fileURLToPath(new URL(BIN_FROM_HERE, import.meta.url));

export interface HardwareProcessOptions {
  /** program and arguments; default: this Node running `sluimer-agent hardware` */
  command?: { file: string; args: string[] };
  /** the child is killed after this long (the reader gives up per section after 15 s) */
  timeoutMs?: number;
  /** more output than this is not an inventory: the child is killed */
  maxBytes?: number;
}

/**
 * Reads the hardware inventory in a short-lived child process (`sluimer-agent hardware`), once at start
 * and once a day. The answer is untrusted JSON: the agent checks it against InventorySchema. Rejects
 * with what went wrong (exit code and the child's last error line, a timeout, too much output).
 */
export function readHardwareInChild(opts: HardwareProcessOptions = {}): Promise<unknown> {
  const { file, args } = opts.command ?? { file: process.execPath, args: [AGENT_BIN, 'hardware'] };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | null = null;
    const fail = (e: Error) => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new Error(`hardware reading took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) fail(new Error(`hardware reading printed more than ${maxBytes} bytes`));
      else out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err = (err + chunk).slice(-2000);
    });
    child.on('error', (e) => fail(e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (code !== 0) {
        const last = err.trim().split('\n').pop() ?? '';
        return reject(new Error(`hardware reading exited with ${code ?? signal}${last ? `: ${last}` : ''}`));
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as unknown);
      } catch {
        reject(new Error('hardware reading printed no JSON'));
      }
    });
  });
}
