// Draws the tray icons (and the app icon) as PNGs with no image library: a crescent moon ("sluimer" =
// slumber) in a disc. ok = green, nudge = green with an amber dot, offline = grey with a slash.
// Usage: node agent/tray/scripts/make-icons.mjs   (writes agent/tray/assets/*.png and build/icon.png)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

function crc32(buf) {
  let c;
  const table = [];
  for (let n = 0; n < 256; n++) {
    c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  let crc = 0xffffffff;
  for (const b of buf) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel((x + 0.5) / size, (y + 0.5) / size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const GREEN = [31, 111, 80];
const GREY = [120, 128, 124];
const AMBER = [240, 160, 32];
const WHITE = [255, 255, 255];
const d = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);

function icon(kind) {
  return (x, y) => {
    const disc = d(x, y, 0.5, 0.5) < 0.47;
    if (kind === 'nudge' && d(x, y, 0.8, 0.2) < 0.2) return [...AMBER, 255];
    if (!disc) return [0, 0, 0, 0];
    const moon = d(x, y, 0.5, 0.5) < 0.3 && d(x, y, 0.62, 0.4) > 0.24;
    if (kind === 'offline' && Math.abs(x - y) < 0.06) return [...WHITE, 255];
    if (moon) return [...WHITE, 255];
    return [...(kind === 'offline' ? GREY : GREEN), 255];
  };
}

mkdirSync(path.join(here, '../assets'), { recursive: true });
mkdirSync(path.join(here, '../build'), { recursive: true });
for (const kind of ['ok', 'nudge', 'offline']) {
  writeFileSync(path.join(here, `../assets/tray-${kind}.png`), png(32, icon(kind)));
  writeFileSync(path.join(here, `../assets/tray-${kind}@2x.png`), png(64, icon(kind)));
}
writeFileSync(path.join(here, '../build/icon.png'), png(512, icon('ok')));
console.log('icons written');
