// Hostile input against the real console in its own process: ≥ 100,000 mutated and random frames over
// hundreds of sockets of enrolled devices (a whole school behind one address). The console must keep
// serving, its memory must stay bounded, and the stored usage data must not change.
// Scale with SLUIMER_FUZZ_FRAMES / SLUIMER_FUZZ_DEVICES (defaults: 100,000 frames, 400 devices).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../scripts/src/model/rng.js';
import {
  ADMIN_PASSWORD,
  adminToken,
  api,
  type ConsoleProcess,
  enrollOne,
  groupSecret,
  rssSampler,
  Sock,
  spawnConsole,
  tempDir,
} from './support.js';

const FRAMES = Number(process.env.SLUIMER_FUZZ_FRAMES ?? 100_000);
const DEVICES = Number(process.env.SLUIMER_FUZZ_DEVICES ?? 400);
const SEED = Number(process.env.SLUIMER_FUZZ_SEED ?? 20261128);
/** every device's stored maximum seq: mutated seqs at or below it are duplicates, never stored */
const MAX_SEQ = 100_000;
const PING_EVERY = 8;

/** mulberry32: a small seeded PRNG so a failure can be replayed with SLUIMER_FUZZ_SEED */
function prng(seed: number): () => number {
  return createRng(seed).next;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function nested(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const HOSTILE: (() => Json)[] = [
  () => null,
  () => true,
  () => -1,
  () => 0,
  () => 1.5,
  () => -1e308,
  () => 1e308,
  () => 2 ** 53,
  () => 2 ** 64,
  () => -(2 ** 63),
  () => '',
  () => 'NaN',
  () => '\u0000\ud800\udfff',
  () => 'x'.repeat(5_000),
  () => [],
  () => ({}),
  () =>
    ({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }) as unknown as Json,
  () => nested(200),
  () => Array.from({ length: 3_000 }, (_, i) => i),
  () => '2026-01-01T00:00:00Z',
  () => [{ start: 1, end: 0, state: 'idle' }],
];

/** one structural mutation of a JSON value: replace, delete or add at a random path */
function mutate(base: Json, r: () => number): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  const path: (string | number)[] = [];
  let node: Json = copy;
  while (node !== null && typeof node === 'object' && r() < 0.6) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    const k = keys[Math.floor(r() * keys.length)]!;
    path.push(k);
    node = (node as Record<string | number, Json>)[k] as Json;
  }
  const value = HOSTILE[Math.floor(r() * HOSTILE.length)]!();
  if (path.length === 0) {
    const key = ['type', 'seq', 'intervals', 'extra', 'protocol', 'inventory'][Math.floor(r() * 6)]!;
    (copy as Record<string, Json>)[key] = value;
    return copy;
  }
  const last = path.pop()!;
  let parent: Json = copy;
  for (const k of path) parent = (parent as Record<string | number, Json>)[k] as Json;
  const p = parent as Record<string | number, Json>;
  const roll = r();
  if (roll < 0.15 && !Array.isArray(p)) delete p[last];
  else p[last] = value;
  return copy;
}

function randomJson(r: () => number, depth = 0): Json {
  const x = r();
  if (depth > 4 || x < 0.3) return HOSTILE[Math.floor(r() * 14)]!();
  if (x < 0.6) return Array.from({ length: Math.floor(r() * 6) }, () => randomJson(r, depth + 1));
  const o: Record<string, Json> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--)
    o[['type', 'seq', 'intervals', 'start', 'end', 'state', 'hello', 'report', 'x'][Math.floor(r() * 9)]!] =
      randomJson(r, depth + 1);
  return o;
}

type Frame = { data: string | Buffer; binary: boolean; kind: string };

function makeFrame(r: () => number, bases: Json[]): Frame {
  const x = r();
  const base = bases[Math.floor(r() * bases.length)]!;
  if (x < 0.55) return { data: JSON.stringify(mutate(base, r)), binary: false, kind: 'mutated' };
  if (x < 0.75) return { data: JSON.stringify(randomJson(r)), binary: false, kind: 'random-json' };
  if (x < 0.83) {
    // truncated or byte-flipped JSON (still valid UTF-8)
    const s = JSON.stringify(base);
    const cut = s.slice(0, Math.floor(r() * s.length));
    return { data: r() < 0.5 ? cut : `${cut}}}]]"\\`, binary: false, kind: 'broken-json' };
  }
  if (x < 0.9) {
    const n = 1 + Math.floor(r() * 64);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    return { data: b, binary: true, kind: 'binary' };
  }
  if (x < 0.95) {
    const seq = r() < 0.5 ? 1 + Math.floor(r() * MAX_SEQ) : MAX_SEQ + 1 + Math.floor(r() * 1e9);
    return {
      data: JSON.stringify({ type: r() < 0.5 ? 'report' : 'nonsense', seq, intervals: 'x', n: nested(50) }),
      binary: false,
      kind: 'wrong-type',
    };
  }
  if (x < 0.96) {
    const depth = 100 + Math.floor(r() * (r() < 0.05 ? 200_000 : 5_000));
    return { data: '['.repeat(depth) + ']'.repeat(depth), binary: false, kind: 'deep' };
  }
  if (x < 0.966) {
    // a giant array: more intervals than a report may carry, or many overlapping ones
    const n = r() < 0.5 ? 1001 + Math.floor(r() * 4000) : 999;
    const intervals = Array.from({ length: n }, (_, i) => ({
      start: 1000 + i,
      end: 5000 + i,
      state: 'idle',
    }));
    return {
      data: JSON.stringify({ type: 'report', seq: MAX_SEQ + 1 + Math.floor(r() * 1000), intervals }),
      binary: false,
      kind: 'giant-array',
    };
  }
  if (x < 0.968) {
    return {
      data: JSON.stringify({ type: 'report', seq: 5, pad: 'y'.repeat(300_000) }),
      binary: false,
      kind: 'too-large',
    };
  }
  if (x < 0.9995) {
    // control characters, lone surrogates as escapes, prototype keys
    const s = ['\\ud800', '\\u0000', '__proto__', 'constructor', '\\"', '\u2028'][Math.floor(r() * 6)]!;
    return {
      data: `{"type":"report","seq":7,"${s}":"${s}","intervals":[{"${s}":1}]}`,
      binary: false,
      kind: 'escapes',
    };
  }
  if (x < 0.9997) {
    // invalid UTF-8 in a text frame: a WebSocket protocol error, the console closes the socket (1007)
    return {
      data: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
      binary: false,
      kind: 'bad-utf8',
    };
  }
  // above the hard frame cap: the socket is closed (1009)
  return { data: 'z'.repeat(1_100_000), binary: false, kind: 'over-hard-cap' };
}

const T0 = Date.now() - 3 * 3600_000;
const baseIntervals = (i: number) => [
  { start: T0 + i, end: T0 + i + 60_000, state: 'active', display: 'on', power: 'ac' },
  { start: T0 + i + 60_000, end: T0 + i + 600_000, state: 'idle', display: 'off', power: 'battery' },
];

function snapshot(dbPath: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const q = (sql: string) => db.prepare(sql).get();
    return {
      intervals: q('SELECT COUNT(*) n, SUM("end" - start) ms, SUM(start % 100003) h FROM intervals'),
      hours: q(
        'SELECT COUNT(*) n, SUM(active_ms) a, SUM(idle_on_ms + idle_off_ms) i, SUM(energy_wh) e FROM rollup_hour',
      ),
      days: q('SELECT COUNT(*) n, SUM(active_ms) a, SUM(energy_wh) e FROM rollup_day'),
      devices: q(
        "SELECT COUNT(*) n, SUM(max_seq) s, SUM(max_end) e, group_concat(COALESCE(counters, '-')) c FROM devices",
      ),
    };
  } finally {
    db.close();
  }
}

let con: ConsoleProcess;
let dataDir: string;
let token: string;
let devices: { deviceId: number; deviceToken: string }[] = [];

beforeAll(async () => {
  dataDir = tempDir();
  // default limits and timeouts: what a school runs
  con = await spawnConsole({
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    statsFile: join(dataDir, 'stats.json'),
  });
  token = await adminToken(con.url);
});

afterAll(async () => {
  await con?.stop();
});

describe('hostile input', () => {
  it(`lets a whole school (${DEVICES} devices) behind one address enroll and connect at once`, async () => {
    const { secret } = await groupSecret(con.url, token, 'Het Lyceum');
    devices = await Promise.all(
      Array.from({ length: DEVICES }, (_, i) => enrollOne(con.url, secret, `school-install-${i}-abcdef`)),
    );
    const socks = await Promise.all(
      devices.map(async (d) => {
        const s = await Sock.open(con.url, d.deviceToken);
        await s.hello();
        return s;
      }),
    );
    // each device's baseline: one real report, then a high seq so mutated seqs below it are duplicates
    await Promise.all(
      socks.map(async (s, i) => {
        s.send({ type: 'report', seq: 1, intervals: baseIntervals(i) });
        expect(await s.next()).toEqual({ type: 'ack', seq: 1 });
        s.send({ type: 'report', seq: MAX_SEQ, intervals: [] });
        expect(await s.next()).toEqual({ type: 'ack', seq: MAX_SEQ });
      }),
    );
    for (const s of socks) s.close();
  });

  it(`survives ${FRAMES} mutated and random frames with bounded memory and unchanged data`, {
    timeout: 240_000,
  }, async () => {
    expect(devices.length).toBe(DEVICES);
    const dbPath = join(dataDir, 'sluimer-console.sqlite');
    const before = snapshot(dbPath);
    const rssBefore = con.rss();
    const sampler = rssSampler(() => con.rss(), 50);
    const r = prng(SEED);
    const kinds: Record<string, number> = {};
    let sent = 0;
    let reconnects = 0;
    let answers = 0;
    const closeCodes: Record<number, number> = {};
    const errorCodes: Record<string, number> = {};
    const perDevice = Math.ceil(FRAMES / DEVICES);
    const started = Date.now();
    // how long the console takes to answer a health check while it is being fuzzed
    let probing = true;
    let worstHealthMs = 0;
    const probe = (async () => {
      while (probing) {
        const t0 = Date.now();
        await fetch(`${con.url}/api/v1/health`).then((r) => r.text());
        worstHealthMs = Math.max(worstHealthMs, Date.now() - t0);
        await new Promise((res) => setTimeout(res, 250));
      }
    })();

    await Promise.all(
      devices.map(async (d, i) => {
        const bases: Json[] = [
          { type: 'report', seq: 1, intervals: baseIntervals(i) },
          {
            type: 'report',
            seq: 1,
            intervals: baseIntervals(i),
            blockers: [{ name: 'teams.exe', kind: 'process' }],
            counters: { droppedReports: 1, nudges: { sleepSoon: { shown: 1 } } },
          },
          { type: 'hello', protocol: 1, agentVersion: '1.0.0', inventory: { os: 'windows' } },
          { type: 'policy_status', etag: 'x', ok: true, applied: {}, errors: [] },
        ];
        let sock = await Sock.open(con.url, d.deviceToken);
        await sock.hello();
        let n = 0;
        let ping = 50_000;
        while (n < perDevice) {
          for (let k = 0; k < PING_EVERY && n < perDevice; k++, n++) {
            const f = makeFrame(r, bases);
            kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
            sent++;
            if (sock.closed) break;
            sock.ws.send(f.data, { binary: f.binary });
          }
          // a valid duplicate report as a marker: frames are handled in order, so its ack means every
          // frame before it was handled (and keeps the socket below the bad-frames-in-a-row limit)
          const marker = ++ping;
          if (!sock.closed) sock.send({ type: 'report', seq: marker, intervals: [] });
          for (;;) {
            let f: { type: string; seq?: number };
            try {
              f = await sock.next(30_000);
            } catch (err) {
              if (!sock.closed) throw err;
              closeCodes[sock.closed.code] = (closeCodes[sock.closed.code] ?? 0) + 1;
              reconnects++;
              sock = await Sock.open(con.url, d.deviceToken);
              await sock.hello();
              break;
            }
            answers++;
            expect(['ack', 'error']).toContain(f.type);
            if (f.type === 'error') {
              const code = (f as unknown as { code: string }).code;
              errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            }
            if (f.type === 'ack' && f.seq === marker) break;
          }
        }
        sock.close();
      }),
    );
    const elapsedMs = Date.now() - started;
    probing = false;
    await probe;
    const peak = sampler.stop();
    const after = snapshot(dbPath);
    const summary = {
      frames: sent,
      devices: DEVICES,
      elapsedMs,
      answers,
      worstHealthMs,
      console: JSON.parse(readFileSync(join(dataDir, 'stats.json'), 'utf8')),
      reconnects,
      closeCodes,
      errorCodes,
      kinds,
      rssBeforeMb: Math.round(rssBefore / 1e6),
      rssPeakMb: Math.round(peak / 1e6),
      rssAfterMb: Math.round(con.rss() / 1e6),
    };
    console.log(`fuzz: ${JSON.stringify(summary)}`);
    expect(sent).toBeGreaterThanOrEqual(FRAMES);
    expect(after).toEqual(before);
    // every bad frame was answered with a clear code, never an internal error
    expect(errorCodes.internal_error ?? 0).toBe(0);
    // bounded: no per-frame growth (100k frames, some of 1 MB, would be far above this if kept)
    expect(peak).toBeLessThan(rssBefore + 400 * 1024 * 1024);
    expect(con.child.exitCode).toBeNull();

    // and it keeps serving: a valid report afterwards is acked and stored
    const d = devices[0]!;
    const s = await Sock.open(con.url, d.deviceToken);
    const w = await s.hello();
    expect(w.ackedSeq).toBe(MAX_SEQ);
    const fresh = [{ start: T0 + 3600_000, end: T0 + 3660_000, state: 'idle', display: 'on', power: 'ac' }];
    s.send({ type: 'report', seq: MAX_SEQ + 1, intervals: fresh });
    expect(await s.next()).toEqual({ type: 'ack', seq: MAX_SEQ + 1 });
    s.close();
    const detail = await api(con.url, 'GET', `/api/v1/devices/${d.deviceId}`, { token });
    expect(detail.status).toBe(200);
    const db = new Database(dbPath, { readonly: true });
    const row = db
      .prepare('SELECT start, "end", state FROM intervals WHERE device_id = ? AND start = ?')
      .get(d.deviceId, fresh[0]!.start);
    db.close();
    expect(row).toEqual({ start: fresh[0]!.start, end: fresh[0]!.end, state: 'idle' });
  });

  it('closes silent and slow connections that never authenticate, and agents that never say hello', async () => {
    // a console of its own with short timeouts (defaults: 10 s each)
    const quick = await spawnConsole({
      dataDir: tempDir(),
      adminPassword: ADMIN_PASSWORD,
      idleConnectionTimeoutMs: 1_500,
      gatewayLimits: { helloTimeoutMs: 1_500 },
    });
    try {
      await slowClients(quick);
    } finally {
      await quick.stop();
    }
  });
});

async function slowClients(con: ConsoleProcess) {
  {
    const closedAfter = (sock: net.Socket) =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        sock.on('error', () => {});
        sock.on('close', () => resolve(Date.now() - t0));
      });
    // 1: connects and says nothing
    const silent = net.connect(con.port, '127.0.0.1');
    // 2: trickles a request line and headers one byte at a time (slowloris)
    const slow = net.connect(con.port, '127.0.0.1');
    let trickle: NodeJS.Timeout | undefined;
    slow.on('connect', () => {
      const text = 'GET /api/v1/agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX-Pad: ';
      let i = 0;
      trickle = setInterval(() => {
        if (!slow.destroyed) slow.write(text[i++ % text.length]!);
      }, 100);
    });
    const [a, b] = await Promise.all([closedAfter(silent), closedAfter(slow)]);
    clearInterval(trickle);
    expect(a).toBeLessThan(5_000);
    expect(b).toBeLessThan(5_000);
    // 3: an enrolled device that opens the socket and never says hello
    const t = await adminToken(con.url);
    const { secret } = await groupSecret(con.url, t, 'Lokaal 1');
    const dev = await enrollOne(con.url, secret, 'silent-agent-0001');
    const s = await Sock.open(con.url, dev.deviceToken);
    const t0 = Date.now();
    while (!s.closed && Date.now() - t0 < 5_000) await new Promise((res) => setTimeout(res, 50));
    expect(s.closed?.code).toBe(1008);
    expect(s.frames.some((f) => f.type === 'error' && f.code === 'hello_required')).toBe(true);
  }
}
