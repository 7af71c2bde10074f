import { describe, expect, it } from 'vitest';
import { execFileRunner } from '../runner.js';
import { decodeConsoleOutput, decodeOem } from './console-encoding.js';
import { parsePowercfgRequests } from './powercfg-requests.js';

/** Encodes text in code page 850 (test helper: the inverse of decodeOem). */
function cp850(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) bytes.push(code);
    else {
      for (let b = 0x80; b <= 0xff; b++)
        if (decodeOem(Buffer.from([b])) === ch) {
          bytes.push(b);
          break;
        }
    }
  }
  return Buffer.from(bytes);
}

describe('Windows console output encoding', () => {
  it('decodes OEM code page 850 (Dutch Windows) and 437', () => {
    expect(decodeOem(Buffer.from([0x76, 0x69, 0x64, 0x82, 0x6f]))).toBe('vidéo');
    expect(decodeOem(Buffer.from([0x89, 0xe1, 0x9c]))).toBe('ëß£');
    expect(decodeOem(Buffer.from([0x9b]), 437)).toBe('¢');
  });
  it('keeps valid UTF-8 as UTF-8 and falls back to the OEM page otherwise', () => {
    expect(decodeConsoleOutput(Buffer.from('Afspelen van vidéo', 'utf8'))).toBe('Afspelen van vidéo');
    expect(decodeConsoleOutput(cp850('Afspelen van vidéo'))).toBe('Afspelen van vidéo');
  });
  it('gets a localised /requests reason intact from cp850 bytes with CRLF', () => {
    const raw = cp850(
      'BEELDSCHERM:\r\n[PROCESS] \\Device\\HarddiskVolume3\\Program Files\\Vidéo\\speler.exe\r\nVidéo wordt afgespeeld\r\n\r\nSYSTEEM:\r\nGeen.\r\n',
    );
    expect(parsePowercfgRequests(decodeConsoleOutput(raw)).blockers).toEqual([
      { name: 'speler.exe', kind: 'process', blocks: ['display'], reason: 'Vidéo wordt afgespeeld' },
    ]);
  });
  it('the runner hands the child bytes to the decoder (no shell involved)', async () => {
    const r = await execFileRunner().run(
      process.execPath,
      ['-e', 'process.stdout.write(Buffer.from([0x76,0x69,0x64,0x82,0x6f]))'],
      {
        decode: decodeConsoleOutput,
      },
    );
    expect(r).toEqual({ stdout: 'vidéo', stderr: '', code: 0 });
    const plain = await execFileRunner().run(process.execPath, ['-e', 'process.stdout.write("ok ✓")']);
    expect(plain.stdout).toBe('ok ✓');
  });
});
