// SQLite operations: online backup while agents report, restore with equal usage totals, raw-data
// retention that keeps rollups, and a full disk: no ack, a clear error, recovery when space returns.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../../console/server/src/index.js';
import {
  ADMIN_PASSWORD,
  adminToken,
  api,
  type ConsoleProcess,
  enrollOne,
  groupSecret,
  mapLimit,
  ROOT,
  Sock,
  spawnConsole,
  tempDir,
} from './support.js';

const DAY = 86_400_000;
const MIN = 60_000;
const CLI = join(ROOT, 'console/bin/sluimer-console.js');

/** the real command, run without blocking this process (its agents keep reporting meanwhile) */
function cli(args: string[], dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SLUIMER_DATA: dataDir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function usage(base: string, token: string, from: number, to: number) {
  const r = await api(base, 'GET', `/api/v1/usage?from=${from}&to=${to}&groupBy=device`, { token });
  expect(r.status).toBe(200);
  return r.body;
}

/** every report of a device carries two intervals; a consistent copy has 2 × max_seq of them */
function consistency(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT d.id, d.max_seq s, (SELECT COUNT(*) FROM intervals i WHERE i.device_id = d.id) n FROM devices d`,
      )
      .all() as { id: number; s: number; n: number }[];
    return { rows, reports: rows.reduce((a, r) => a + r.s, 0) };
  } finally {
    db.close();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('backup and restore', () => {
  it('backs up online while agents report, and a restore gives the same usage totals', async () => {
    const dataDir = tempDir();
    let con: ConsoleProcess = await spawnConsole({ dataDir, adminPassword: ADMIN_PASSWORD });
    cleanups.push(() => con.stop());
    const token = await adminToken(con.url);
    const { secret } = await groupSecret(con.url, token, 'Backup school');
    const devices = await mapLimit(
      Array.from({ length: 20 }, (_, i) => i),
      20,
      (i) => enrollOne(con.url, secret, `backup-install-${i}-xxxx`),
    );
    const base = Date.now() - 20 * DAY;
    let running = true;
    const acked = new Array<number>(devices.length).fill(0);
    const reporters = devices.map(async (d, i) => {
      const s = await Sock.open(con.url, d.deviceToken);
      await s.hello();
      for (let seq = 1; running && seq < 5000; seq++) {
        const t = base + seq * 2 * MIN;
        s.send({
          type: 'report',
          seq,
          intervals: [
            { start: t, end: t + MIN, state: 'active', display: 'on', power: 'ac' },
            { start: t + MIN, end: t + 2 * MIN, state: 'idle', display: 'off', power: 'ac' },
          ],
        });
        const f = await s.next();
        expect(f).toEqual({ type: 'ack', seq });
        acked[i] = seq;
      }
      s.close();
    });
    // let them get going, then back up while they report
    while (acked.reduce((a, b) => a + b, 0) < 400) await new Promise((r) => setTimeout(r, 20));
    const ackedBefore = acked.reduce((a, b) => a + b, 0);
    const hot = join(tempDir(), 'hot.sqlite');
    const b1 = await cli(['backup', hot], dataDir);
    const ackedAfter = acked.reduce((a, b) => a + b, 0);
    expect(b1.code, b1.out).toBe(0);
    expect(b1.out).toMatch(/backup written/);
    running = false;
    await Promise.all(reporters);
    expect(ackedAfter).toBeGreaterThan(ackedBefore); // agents kept reporting during the backup
    console.log(`backup: ${JSON.stringify({ ackedBefore, ackedAfter, out: b1.out.trim() })}`);
    // the hot copy is one consistent moment: every stored report complete, with its seq
    const hotCheck = consistency(hot);
    for (const r of hotCheck.rows) expect(r.n, `device ${r.id}`).toBe(2 * r.s);
    expect(hotCheck.reports).toBeGreaterThanOrEqual(ackedBefore);

    // a quiet backup, then restore it in place of the live database: same totals
    const quiet = join(tempDir(), 'quiet.sqlite');
    expect((await cli(['backup', quiet], dataDir)).code).toBe(0);
    const from = base;
    const to = Date.now();
    const totals = await usage(con.url, token, from, to);
    expect(JSON.stringify(totals)).toContain('activeSec');
    await con.stop();
    // damage the live database, as a failed disk would
    rmSync(join(dataDir, 'sluimer-console.sqlite'));
    const restored = await cli(['restore', quiet], dataDir);
    expect(restored.code, restored.out).toBe(0);
    con = await spawnConsole({ dataDir, adminPassword: ADMIN_PASSWORD });
    expect(await usage(con.url, token, from, to)).toEqual(totals);
    // agents continue where the restored database left off
    const s = await Sock.open(con.url, devices[0]!.deviceToken);
    const w = await s.hello();
    expect(w.ackedSeq).toBe(acked[0]);
    s.close();

    // the hot backup restores too, and its totals match its own rows
    const other = tempDir();
    expect((await cli(['restore', hot], other)).code).toBe(0);
    const c2 = await spawnConsole({ dataDir: other, adminPassword: ADMIN_PASSWORD });
    cleanups.push(() => c2.stop());
    const u2 = await usage(c2.url, token, from, to);
    const rows = (u2.rows ?? u2) as { activeSec: number; idleSec: number }[];
    const activeSec = rows.reduce((a, r) => a + r.activeSec, 0);
    expect(activeSec).toBe((hotCheck.reports * MIN) / 1000);
  });

  it('refuses to restore a file that is not a Sluimer database', async () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.sqlite');
    const db = new Database(junk);
    db.exec('CREATE TABLE x (a)');
    db.close();
    const r = await cli(['restore', junk], join(dir, 'data'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/schema version 0|not a Sluimer database/);
  });
});

describe('retention', () => {
  it('drops raw intervals past the retention after rollup; rollups and usage totals stay', async () => {
    const dataDir = tempDir();
    let now = Date.now();
    const start = () =>
      startConsole({
        port: 0,
        host: '127.0.0.1',
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        logLevel: 'silent',
        webDist: join(dataDir, 'no-web'),
        now: () => now,
      });
    let c = await start();
    const token = await adminToken(c.url);
    const { secret } = await groupSecret(c.url, token, 'Retention school');
    const d = await enrollOne(c.url, secret, 'retention-install-1');
    const s = await Sock.open(c.url, d.deviceToken);
    await s.hello();
    const t0 = Math.floor((now - 10 * DAY) / DAY) * DAY;
    s.send({
      type: 'report',
      seq: 1,
      intervals: [
        { start: t0, end: t0 + 3_600_000, state: 'active', display: 'on' },
        { start: t0 + 3_600_000, end: t0 + 5 * 3_600_000, state: 'idle', display: 'on' },
      ],
    });
    expect(await s.next()).toEqual({ type: 'ack', seq: 1 });
    s.close();
    const from = t0 - DAY;
    const to = t0 + 2 * DAY;
    const before = await usage(c.url, token, from, to);
    const db = () => (c.store as unknown as { db: Database.Database }).db;
    expect((db().prepare('SELECT COUNT(*) n FROM intervals').get() as { n: number }).n).toBe(2);
    await c.close();
    // 100 days later (retention 90 days): the console prunes on start
    now += 100 * DAY;
    c = await start();
    cleanups.push(() => c.close());
    expect((db().prepare('SELECT COUNT(*) n FROM intervals').get() as { n: number }).n).toBe(0);
    expect((db().prepare('SELECT COUNT(*) n FROM rollup_hour').get() as { n: number }).n).toBe(5);
    // the API token from 100 days ago has expired (90 days): log in again
    expect(await usage(c.url, await adminToken(c.url), from, to)).toEqual(before);
    // WAL mode, and the maintenance job truncates the WAL
    expect(db().pragma('journal_mode', { simple: true })).toBe('wal');
  });
});

const TMPFS = tempDir('sluimer-tmpfs-');
const mountTmpfs = () => spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', TMPFS]).status === 0;
// probe once (mount and unmount at once), so a filtered-out test never leaves a mount behind
const canMount = mountTmpfs() && spawnSync('umount', [TMPFS]).status === 0;

describe.skipIf(!canMount)('full disk (a 6 MB tmpfs)', () => {
  it('refuses writes with a clear error and no ack, keeps serving reads, and recovers when space returns', async () => {
    expect(mountTmpfs()).toBe(true);
    let con: ConsoleProcess | undefined;
    cleanups.push(async () => {
      await con?.stop();
      execFileSync('umount', [TMPFS]);
    });
    const dataDir = join(TMPFS, 'data');
    mkdirSync(dataDir);
    con = await spawnConsole({ dataDir, adminPassword: ADMIN_PASSWORD });
    const token = await adminToken(con.url);
    const { secret } = await groupSecret(con.url, token, 'Full school');
    const d = await enrollOne(con.url, secret, 'full-disk-install-1');
    let s = await Sock.open(con.url, d.deviceToken);
    await s.hello();
    const t = Date.now() - DAY;
    const report = (seq: number) => ({
      type: 'report',
      seq,
      intervals: [{ start: t + seq * MIN, end: t + (seq + 1) * MIN, state: 'idle', display: 'on' }],
    });
    s.send(report(1));
    expect(await s.next()).toEqual({ type: 'ack', seq: 1 });

    // fold the WAL in and truncate it, so the next write has to grow a file; then fill the disk
    const side = new Database(join(dataDir, 'sluimer-console.sqlite'));
    side.pragma('wal_checkpoint(TRUNCATE)');
    side.close();
    const filler = join(TMPFS, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    try {
      for (;;) writeSync(fd, chunk.subarray(0, 512));
    } catch {}
    closeSync(fd);

    s.send(report(2));
    const f = await s.next();
    expect(f).toMatchObject({ type: 'error', code: 'storage_unavailable' });
    expect(f.seq).toBeUndefined(); // not a rejection: the agent keeps the report
    for (let i = 0; i < 100 && !s.closed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.closed?.code).toBe(1011);
    const g = await api(con.url, 'POST', '/api/v1/groups', { token, body: { name: 'no room' } });
    expect(g.status).toBe(503);
    expect(g.body.error.code).toBe('storage_unavailable');
    expect(g.headers.get('retry-after')).toBe('30');
    expect((await api(con.url, 'GET', '/api/v1/health')).status).toBe(200);
    expect((await api(con.url, 'GET', '/api/v1/groups', { token })).status).toBe(200);

    // space returns: the agent reconnects, learns seq 1 is stored, and seq 2 is stored now
    rmSync(filler);
    s.close();
    s = await Sock.open(con.url, d.deviceToken);
    const w = await s.hello();
    expect(w.ackedSeq).toBe(1);
    s.send(report(2));
    expect(await s.next()).toEqual({ type: 'ack', seq: 2 });
    s.close();
    const db = new Database(join(dataDir, 'sluimer-console.sqlite'), { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) n, SUM("end" - start) ms FROM intervals').get() as {
      n: number;
      ms: number;
    };
    db.close();
    // both minutes stored once (touching intervals of the same kind are joined into one row)
    expect(stored).toEqual({ n: 1, ms: 2 * MIN });
    expect(
      (await api(con.url, 'POST', '/api/v1/groups', { token, body: { name: 'room again' } })).status,
    ).toBe(201);
  });
});
