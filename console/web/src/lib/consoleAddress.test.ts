import { describe, expect, it } from 'vitest';
import { consoleAddress } from './consoleAddress.js';

describe('the address in the install commands', () => {
  it('is the configured public URL, whatever address the browser used', () => {
    expect(consoleAddress('https://sluimer.school.nl', 'http://localhost:8080')).toEqual({
      url: 'https://sluimer.school.nl',
      configured: true,
      loopback: false,
    });
  });

  it("falls back to the browser's address, and says when devices could not reach it", () => {
    expect(consoleAddress(null, 'http://localhost:8080')).toEqual({
      url: 'http://localhost:8080',
      configured: false,
      loopback: true,
    });
    expect(consoleAddress(undefined, 'http://10.0.4.2:8080').loopback).toBe(false);
    expect(consoleAddress('http://127.0.0.1:8080', 'http://10.0.4.2:8080').loopback).toBe(true);
  });
});
