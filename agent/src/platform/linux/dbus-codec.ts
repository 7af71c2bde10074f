/**
 * D-Bus values in and out of message bodies (little-endian), for the types the adapter reads from
 * logind and GNOME: `y b u i t s o g`, arrays `a…` and structs `(…)`. Enough to read a list such as
 * logind's `a(ssssuu)` over the adapter's own connection instead of starting `busctl` for it.
 */

export type DbusValue = number | boolean | string | DbusValue[];

const ALIGN: Record<string, number> = { y: 1, b: 4, u: 4, i: 4, t: 8, s: 4, o: 4, g: 1, a: 4, '(': 8 };

/** Splits a signature into its complete types: `a(ssssuu)u` → [`a(ssssuu)`, `u`]. */
export function splitSignature(signature: string): string[] {
  const out: string[] = [];
  let i = 0;
  const one = (): string => {
    const start = i;
    const c = signature[i];
    if (c === undefined) throw new Error(`D-Bus signature "${signature}" ends early`);
    i++;
    if (c === 'a') one();
    else if (c === '(') {
      while (signature[i] !== ')') {
        if (i >= signature.length) throw new Error(`D-Bus signature "${signature}" has an open struct`);
        one();
      }
      i++;
    } else if (!(c in ALIGN)) throw new Error(`D-Bus type "${c}" is not supported here`);
    return signature.slice(start, i);
  };
  while (i < signature.length) out.push(one());
  return out;
}

const pad = (n: number, a: number) => (n + a - 1) & ~(a - 1);

/** Reads a whole body of `signature`; throws on a body that is shorter than its types say. */
export function readBody(signature: string, body: Buffer): DbusValue[] {
  let o = 0;
  const need = (n: number) => {
    if (o + n > body.length) throw new Error(`D-Bus body too short for "${signature}"`);
  };
  const read = (type: string): DbusValue => {
    const c = type[0]!;
    o = pad(o, ALIGN[c]!);
    switch (c) {
      case 'y':
        need(1);
        return body[o++]!;
      case 'b':
      case 'u':
        need(4);
        o += 4;
        return c === 'b' ? body.readUInt32LE(o - 4) !== 0 : body.readUInt32LE(o - 4);
      case 'i':
        need(4);
        o += 4;
        return body.readInt32LE(o - 4);
      case 't':
        need(8);
        o += 8;
        return Number(body.readBigUInt64LE(o - 8));
      case 's':
      case 'o': {
        need(4);
        const len = body.readUInt32LE(o);
        o += 4;
        need(len + 1);
        const s = body.toString('utf8', o, o + len);
        o += len + 1;
        return s;
      }
      case 'g': {
        need(1);
        const len = body[o]!;
        need(len + 2);
        const s = body.toString('ascii', o + 1, o + 1 + len);
        o += len + 2;
        return s;
      }
      case 'a': {
        need(4);
        const bytes = body.readUInt32LE(o);
        o += 4;
        const elem = type.slice(1);
        o = pad(o, ALIGN[elem[0]!]!);
        const end = o + bytes;
        need(bytes);
        const items: DbusValue[] = [];
        while (o < end) items.push(read(elem));
        return items;
      }
      default: {
        const fields = splitSignature(type.slice(1, -1));
        return fields.map(read);
      }
    }
  };
  return splitSignature(signature).map(read);
}

/** Writes `values` as a body of `signature` (test services answer with it). */
export function writeBody(signature: string, values: DbusValue[]): Buffer {
  const out: number[] = [];
  const align = (a: number) => {
    while (out.length % a !== 0) out.push(0);
  };
  const u32 = (n: number) => out.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  const write = (type: string, v: DbusValue): void => {
    const c = type[0]!;
    align(ALIGN[c]!);
    if (c === 'y') out.push(Number(v) & 255);
    else if (c === 'b') u32(v ? 1 : 0);
    else if (c === 'u' || c === 'i') u32(Number(v));
    else if (c === 't') {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(Number(v)));
      out.push(...b);
    } else if (c === 's' || c === 'o') {
      const b = Buffer.from(String(v), 'utf8');
      u32(b.length);
      out.push(...b, 0);
    } else if (c === 'g') {
      const b = Buffer.from(String(v), 'ascii');
      out.push(b.length, ...b, 0);
    } else if (c === 'a') {
      const at = out.length;
      u32(0);
      const elem = type.slice(1);
      align(ALIGN[elem[0]!]!);
      const start = out.length;
      for (const item of v as DbusValue[]) write(elem, item);
      const len = out.length - start;
      out[at] = len & 255;
      out[at + 1] = (len >>> 8) & 255;
      out[at + 2] = (len >>> 16) & 255;
      out[at + 3] = (len >>> 24) & 255;
    } else {
      const fields = splitSignature(type.slice(1, -1));
      for (const [i, f] of fields.entries()) write(f, (v as DbusValue[])[i]!);
    }
  };
  for (const [i, t] of splitSignature(signature).entries()) write(t, values[i]!);
  return Buffer.from(out);
}
