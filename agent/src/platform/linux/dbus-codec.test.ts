import { describe, expect, it } from 'vitest';
import { readBody, splitSignature, writeBody } from './dbus-codec.js';

describe('D-Bus bodies', () => {
  it('splits a signature into whole types', () => {
    expect(splitSignature('a(ssssuu)u')).toEqual(['a(ssssuu)', 'u']);
    expect(splitSignature('aoa(su)t')).toEqual(['ao', 'a(su)', 't']);
    expect(() => splitSignature('a(ss')).toThrow(/open struct|ends early/);
    expect(() => splitSignature('v')).toThrow(/not supported/);
  });

  it('lays out an array of structs as the specification says: length, padding to 8, aligned fields', () => {
    const bytes = writeBody('a(su)', [[['ab', 7]]]);
    expect([...bytes]).toEqual([
      ...[12, 0, 0, 0], // array length in bytes, counted after the padding
      ...[0, 0, 0, 0], // struct alignment (8)
      ...[2, 0, 0, 0, 97, 98, 0], // "ab" + NUL
      0, // pad to 4
      ...[7, 0, 0, 0],
    ]);
    expect(readBody('a(su)', bytes)).toEqual([[['ab', 7]]]);
  });

  it("reads logind's inhibitor list and GNOME's object paths back as written", () => {
    const inhibitors = [
      ['sleep', 'vlc', 'Playing video', 'block', 1000, 4242],
      ['shutdown:sleep', 'NetworkManager', 'NetworkManager needs to turn off networks', 'delay', 0, 812],
    ];
    expect(readBody('a(ssssuu)', writeBody('a(ssssuu)', [inhibitors]))).toEqual([inhibitors]);
    expect(readBody('a(ssssuu)', writeBody('a(ssssuu)', [[]]))).toEqual([[]]);
    const paths = ['/org/gnome/SessionManager/Inhibitor1', '/org/gnome/SessionManager/Inhibitor22'];
    expect(readBody('ao', writeBody('ao', [paths]))).toEqual([paths]);
    expect(readBody('sutb', writeBody('sutb', ['é', 12, 2 ** 40, true]))).toEqual(['é', 12, 2 ** 40, true]);
  });

  it('refuses a body shorter than its types, instead of reading a shorter list', () => {
    const full = writeBody('a(ssssuu)', [[['sleep', 'vlc', 'Playing', 'block', 1000, 4242]]]);
    expect(() => readBody('a(ssssuu)', full.subarray(0, full.length - 3))).toThrow(/too short/);
  });
});
