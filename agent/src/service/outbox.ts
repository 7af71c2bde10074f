import {
  type AgentCounters,
  absorbShort,
  type Blocker,
  DAY_MS,
  type Interval,
  LIMITS,
  mergeAdjacent,
  type ReportFrame,
} from '@sluimer/shared';
import type Database from 'better-sqlite3';
import { AgentDatabase } from './agent-database.js';

/**
 * The durable outbox (docs/api.md "Protocol v1"). Each report is written here before it is sent
 * and deleted only after the console's ack. `seq` is kept across restarts. It is a queue and nothing
 * else: the device's measuring state (device-state.ts) and clock bookkeeping (clock-record.ts) live
 * in the same database (agent-database.ts), and the service writes a report, the state that no longer
 * holds its intervals and the moved time floor in one transaction.
 *
 * Bound policy (agent/README.md): when more than `maxRows` reports wait, the two oldest reports
 * that are not in flight are merged into one (touching intervals of the same kind joined; nothing
 * is lost) as long as the result fits in one report. If merging is impossible, or the bytes exceed
 * `maxBytes`, the oldest report not in flight is dropped. Every drop is counted and the counts travel
 * in the next report's `counters` (droppedReports / droppedIntervals). Intervals older than the
 * console's retention floor would be refused, so they are clipped when a report is written.
 */

export interface OutboxOptions {
  /** most reports kept before the oldest are merged (default 5000: 3.5 days at one per minute) */
  maxRows?: number;
  /** most bytes of report bodies kept before the oldest are dropped (default 16 MiB) */
  maxBytes?: number;
  /** intervals ending before now - this are dropped at write time (default: 29 days) */
  maxAgeMs?: number;
}

export interface OutboxReport {
  seq: number;
  intervals: Interval[];
  blockers?: Blocker[];
  counters?: AgentCounters;
}

export interface OutboxStats {
  rows: number;
  bytes: number;
  nextSeq: number;
  droppedReports: number;
  droppedIntervals: number;
}

interface Body {
  intervals: Interval[];
  blockers?: Blocker[];
  counters?: AgentCounters;
}

/**
 * The highest report number this agent gives out or accepts from the console (2^31 − 1, the
 * console's own limit: it refuses a higher `seq` with `seq_out_of_range`). At one report a minute
 * this lasts thousands of years; a number above it can only come from a fault.
 */
export const MAX_SEQ = 2 ** 31 - 1;
/**
 * How far a known device follows a console whose `ackedSeq` is ahead of everything this outbox
 * numbered (an outbox restored from an older copy: Deep Freeze, a VM snapshot). Further ahead is a
 * console fault and is not followed. The console refuses a jump of more than this too.
 */
export const MAX_SEQ_JUMP = 1_000_000;

/** What `applyWelcome` did; `fault` names a console `ackedSeq` the agent did not follow. */
export interface WelcomeResult {
  dropped: number;
  renumbered: number;
  fault?: 'acked_seq_out_of_range' | 'acked_seq_ahead';
  /** the console was ahead of this outbox by at most MAX_SEQ_JUMP and the reports were moved above it */
  followed?: boolean;
}

const DEFAULTS = {
  maxRows: 5000,
  maxBytes: 16 * 1024 * 1024,
  maxAgeMs: (LIMITS.minRetentionDays - 1) * DAY_MS,
};

export class Outbox {
  /** the database this queue lives in, shared with the device state and the clock record */
  readonly database: AgentDatabase;
  private readonly db: Database.Database;
  private readonly opts: Required<OutboxOptions>;
  /** seqs sent on the current connection and not yet acked: never merged or dropped by the bound */
  readonly inFlight = new Set<number>();

  /**
   * Set when `open` found report numbers beyond MAX_SEQ (written by an older agent that followed an
   * absurd `ackedSeq`) and renumbered the waiting reports from 1; the service logs it.
   */
  readonly repaired: { renumbered: number; fromNextSeq: string } | null;

  constructor(database: AgentDatabase, opts: OutboxOptions = {}) {
    this.database = database;
    this.db = database.sqlite;
    this.opts = { ...DEFAULTS, ...opts };
    this.repaired = this.repairNumbering();
  }

  /** Opens (or creates) the outbox at `path`; `':memory:'` keeps it in memory (tests, fleet simulation). */
  static open(path: string, opts: OutboxOptions = {}): Outbox {
    return new Outbox(AgentDatabase.open(path), opts);
  }

  private getMeta(k: string): string | undefined {
    return this.database.get(k);
  }

  private setMeta(k: string, v: string): void {
    this.database.set(k, v);
  }

  private num(k: string): number {
    return Number(this.getMeta(k) ?? 0);
  }

  nextSeq(): number {
    return Math.max(1, this.num('nextSeq'));
  }

  /** the highest seq waiting in the outbox, 0 when none */
  private maxRowSeq(): number {
    return (this.db.prepare('SELECT max(seq) AS m FROM reports').get() as { m: number | null }).m ?? 0;
  }

  /**
   * Gives the waiting reports consecutive numbers from `first`, in their order, entirely in SQL (a
   * poisoned seq may not even fit a JavaScript number), and numbers new reports after them.
   * Returns how many were renumbered. Run inside a transaction.
   */
  private renumberFrom(first: number): number {
    this.db.exec(
      'CREATE TEMP TABLE IF NOT EXISTS renum (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, intervals INTEGER NOT NULL, bytes INTEGER NOT NULL); DELETE FROM temp.renum',
    );
    const n = this.db
      .prepare(
        'INSERT INTO temp.renum (seq, body, intervals, bytes) SELECT ? - 1 + ROW_NUMBER() OVER (ORDER BY seq), body, intervals, bytes FROM main.reports',
      )
      .run(first).changes;
    this.db.exec(
      'DELETE FROM main.reports; INSERT INTO main.reports (seq, body, intervals, bytes) SELECT seq, body, intervals, bytes FROM temp.renum; DELETE FROM temp.renum',
    );
    this.setMeta('nextSeq', String(first + n));
    return n;
  }

  /**
   * An older agent followed a console's absurd `ackedSeq` (e.g. 2^53 − 1) and could then no longer
   * number reports (2^53 + 1 is not a JavaScript number: every insert hit the same seq). Such an
   * outbox is renumbered from 1 and forgets which device it welcomed, so the next welcome places its
   * reports above the console's `ackedSeq` if that is sane (as for a reinstalled agent).
   */
  private repairNumbering(): { renumbered: number; fromNextSeq: string } | null {
    const next = this.getMeta('nextSeq');
    const nextBad =
      next !== undefined && !(Number.isSafeInteger(Number(next)) && Number(next) <= MAX_SEQ + 1);
    const rowsBad =
      (this.db.prepare('SELECT count(*) AS n FROM reports WHERE seq > ?').get(MAX_SEQ) as { n: number }).n >
      0;
    if (!nextBad && !rowsBad) return null;
    return this.db.transaction(() => {
      const renumbered = this.renumberFrom(1);
      this.db.prepare("DELETE FROM meta WHERE k = 'deviceId'").run();
      return { renumbered, fromNextSeq: next ?? '' };
    })();
  }

  /** Counts a loss that happened outside the outbox (e.g. a tracker state that could not be read). */
  countDrop(reports: number, intervals: number): void {
    this.db.transaction(() => this.addDropped(reports, intervals))();
  }

  private addDropped(reports: number, intervals: number): void {
    this.setMeta('droppedReports', String(this.num('droppedReports') + reports));
    this.setMeta('droppedIntervals', String(this.num('droppedIntervals') + intervals));
  }

  private addCounters(c: AgentCounters | undefined): void {
    if (c) this.addDropped(c.droppedReports ?? 0, c.droppedIntervals ?? 0);
  }

  /** Drop counts waiting to go out with the next report. */
  pendingCounters(): { droppedReports: number; droppedIntervals: number } {
    return { droppedReports: this.num('droppedReports'), droppedIntervals: this.num('droppedIntervals') };
  }

  /**
   * Writes intervals (split into reports of at most LIMITS.maxIntervalsPerReport) in one transaction
   * (a savepoint inside the service's own, which also saves the device state and the clock record).
   * The intervals come already corrected to the console's clock (clock-record.ts), `now` on the same
   * clock. Pending drop counts ride along in the first report. Writes nothing when there is nothing
   * to tell. Returns the new seqs.
   */
  enqueue(input: {
    intervals: readonly Interval[];
    blockers?: Blocker[];
    now?: number;
    /** nudge outcome counts since the last report (tray bridge); they ride in the first report */
    nudges?: AgentCounters['nudges'];
  }): number[] {
    const now = input.now ?? Date.now();
    const oldest = now - this.opts.maxAgeMs;
    const seqs: number[] = [];
    this.db.transaction(() => {
      let tooOld = 0;
      const kept: Interval[] = [];
      for (const i of input.intervals) {
        if (i.end <= oldest) tooOld++;
        else kept.push(i.start < oldest ? { ...i, start: oldest } : i);
      }
      if (tooOld > 0) this.addDropped(0, tooOld);
      // the agent promises whole seconds (hello feature `strict-intervals`): a piece the clock
      // correction or the age limit clipped below 1 s goes to its touching neighbour (or, touching
      // none, is left out with the rest of the clipped time) rather than refuse the whole report
      const intervals = absorbShort(kept, LIMITS.minIntervalMs).intervals;
      const counters = this.pendingCounters();
      const hasCounters = counters.droppedReports > 0 || counters.droppedIntervals > 0;
      const blockers = input.blockers && input.blockers.length > 0 ? input.blockers : undefined;
      const nudges = input.nudges && Object.keys(input.nudges).length > 0 ? input.nudges : undefined;
      if (intervals.length > 0 || hasCounters || blockers || nudges) {
        const chunks: Interval[][] = [];
        for (let k = 0; k < intervals.length; k += LIMITS.maxIntervalsPerReport) {
          chunks.push(intervals.slice(k, k + LIMITS.maxIntervalsPerReport));
        }
        if (chunks.length === 0) chunks.push([]);
        // never a seq a waiting report already has (a unique-constraint failure here would fail
        // every later sample)
        let seq = Math.max(this.nextSeq(), this.maxRowSeq() + 1);
        chunks.forEach((chunk, idx) => {
          const body: Body = { intervals: chunk };
          if (idx === 0 && blockers) body.blockers = blockers.slice(0, LIMITS.maxBlockersPerReport);
          if (idx === 0 && hasCounters) body.counters = counters;
          if (idx === 0 && nudges) body.counters = { ...body.counters, nudges };
          this.insert(seq, body);
          seqs.push(seq);
          seq++;
        });
        this.setMeta('nextSeq', String(seq));
        if (hasCounters) {
          this.setMeta('droppedReports', '0');
          this.setMeta('droppedIntervals', '0');
        }
      }
      this.enforceBound();
    })();
    return seqs;
  }

  private insert(seq: number, body: Body): void {
    const text = JSON.stringify(body);
    this.db
      .prepare('INSERT INTO reports (seq, body, intervals, bytes) VALUES (?, ?, ?, ?)')
      .run(seq, text, body.intervals.length, Buffer.byteLength(text));
  }

  private totals(): { rows: number; bytes: number } {
    const r = this.db.prepare('SELECT count(*) AS rows, total(bytes) AS bytes FROM reports').get() as {
      rows: number;
      bytes: number;
    };
    return { rows: r.rows, bytes: r.bytes };
  }

  private oldestIdle(limit: number): { seq: number; body: string; intervals: number }[] {
    const rows = this.db
      .prepare('SELECT seq, body, intervals FROM reports ORDER BY seq LIMIT ?')
      .all(limit + this.inFlight.size) as { seq: number; body: string; intervals: number }[];
    return rows.filter((r) => !this.inFlight.has(r.seq)).slice(0, limit);
  }

  private enforceBound(): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const { rows, bytes } = this.totals();
      const overRows = rows > this.opts.maxRows;
      const overBytes = bytes > this.opts.maxBytes;
      if (!overRows && !overBytes) return;
      const [a, b] = this.oldestIdle(2);
      if (!a) return; // everything left is in flight
      if (overRows && !overBytes && b && a.intervals + b.intervals <= LIMITS.maxIntervalsPerReport) {
        const ba = JSON.parse(a.body) as Body;
        const bb = JSON.parse(b.body) as Body;
        const merged: Body = { intervals: mergeAdjacent([...ba.intervals, ...bb.intervals]) };
        const blockers = [...(ba.blockers ?? []), ...(bb.blockers ?? [])].slice(
          0,
          LIMITS.maxBlockersPerReport,
        );
        if (blockers.length > 0) merged.blockers = blockers;
        const c = {
          droppedReports: (ba.counters?.droppedReports ?? 0) + (bb.counters?.droppedReports ?? 0),
          droppedIntervals: (ba.counters?.droppedIntervals ?? 0) + (bb.counters?.droppedIntervals ?? 0),
        };
        if (c.droppedReports > 0 || c.droppedIntervals > 0) merged.counters = c;
        const nudges = mergeNudgeCounts(ba.counters?.nudges, bb.counters?.nudges);
        if (nudges) merged.counters = { ...merged.counters, nudges };
        // the merged report keeps the later seq; the earlier one is gone
        this.db.prepare('DELETE FROM reports WHERE seq IN (?, ?)').run(a.seq, b.seq);
        this.insert(b.seq, merged);
      } else {
        this.db.prepare('DELETE FROM reports WHERE seq = ?').run(a.seq);
        const body = JSON.parse(a.body) as Body;
        this.addCounters(body.counters);
        this.addDropped(1, a.intervals);
      }
    }
  }

  /** Unacked reports in seq order, after `afterSeq`. */
  pending(limit: number, afterSeq = 0): OutboxReport[] {
    const rows = this.db
      .prepare('SELECT seq, body FROM reports WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as { seq: number; body: string }[];
    return rows.map((r) => ({ seq: r.seq, ...(JSON.parse(r.body) as Body) }));
  }

  /** The report as a protocol frame. */
  static frame(r: OutboxReport): ReportFrame {
    const f: ReportFrame = { type: 'report', seq: r.seq, intervals: r.intervals };
    if (r.blockers) f.blockers = r.blockers;
    if (r.counters) f.counters = r.counters;
    return f;
  }

  /**
   * The console has committed `seq`: forget it. Not fsynced on its own: an ack lost in a power cut
   * only means the report is sent again, and the console answers a seq it already has with an ack
   * and stores nothing twice.
   */
  ack(seq: number): boolean {
    this.inFlight.delete(seq);
    return this.database.transactionUnsynced(
      () => this.db.prepare('DELETE FROM reports WHERE seq = ?').run(seq).changes > 0,
    );
  }

  /** The console refused `seq` (it can never become valid): drop it and count the drop. */
  reject(seq: number): boolean {
    this.inFlight.delete(seq);
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT body, intervals FROM reports WHERE seq = ?').get(seq) as
        | { body: string; intervals: number }
        | undefined;
      if (!row) return false;
      this.db.prepare('DELETE FROM reports WHERE seq = ?').run(seq);
      this.addCounters((JSON.parse(row.body) as Body).counters);
      this.addDropped(1, row.intervals);
      return true;
    })();
  }

  /**
   * After `welcome`: drop what the console already has and keep numbering above `ackedSeq`.
   * The first welcome this outbox sees for a device means the outbox may be new (reinstall, wiped
   * disk) while the console knows older reports of that device: then our unsent reports are
   * renumbered above `ackedSeq` instead of being mistaken for acked ones.
   *
   * The console's number is checked, never trusted blindly (security issue 9, docs/security.md
   * "Report numbers on the agent"):
   * - above MAX_SEQ: a console fault (`acked_seq_out_of_range`); nothing is dropped and the
   *   numbering is not moved;
   * - a known device, ahead of everything this outbox numbered by at most MAX_SEQ_JUMP: an outbox
   *   restored from an older copy; the waiting reports move above `ackedSeq` (not dropped: the
   *   console refuses real duplicates as overlapping, and a console that was wrong loses nothing);
   * - further ahead: a console fault (`acked_seq_ahead`); nothing dropped, numbering unchanged.
   */
  applyWelcome(deviceId: number, ackedSeq: number): WelcomeResult {
    this.inFlight.clear();
    return this.db.transaction((): WelcomeResult => {
      const known = this.getMeta('deviceId') === String(deviceId);
      if (!Number.isSafeInteger(ackedSeq) || ackedSeq < 0 || ackedSeq > MAX_SEQ) {
        // tells nothing reliable: not even that this outbox now belongs to the device
        return { dropped: 0, renumbered: 0, fault: 'acked_seq_out_of_range' };
      }
      if (!known) this.setMeta('deviceId', String(deviceId));
      const highest = Math.max(this.nextSeq() - 1, this.maxRowSeq());
      let dropped = 0;
      let renumbered = 0;
      let followed = false;
      if (known && ackedSeq > highest) {
        if (ackedSeq - highest > MAX_SEQ_JUMP) {
          return { dropped: 0, renumbered: 0, fault: 'acked_seq_ahead' };
        }
        followed = true;
        renumbered = this.renumberFrom(ackedSeq + 1);
      } else if (!known) {
        const min = (this.db.prepare('SELECT min(seq) AS m FROM reports').get() as { m: number | null }).m;
        if (min !== null && min <= ackedSeq) {
          const offset = ackedSeq + 1 - min;
          renumbered = this.db.prepare('UPDATE reports SET seq = -(seq + ?)').run(offset).changes;
          this.db.prepare('UPDATE reports SET seq = -seq').run();
        }
      } else {
        dropped = this.db.prepare('DELETE FROM reports WHERE seq <= ?').run(ackedSeq).changes;
      }
      this.setMeta('nextSeq', String(Math.max(this.nextSeq(), ackedSeq + 1, this.maxRowSeq() + 1)));
      return { dropped, renumbered, ...(followed ? { followed } : {}) };
    })();
  }

  /**
   * The console refused a report's number (`seq_out_of_range`): the waiting reports are numbered
   * directly above the console's `ackedSeq` instead (their content is fine; only the number was
   * wrong). Returns how many moved; 0 when that cannot help (`ackedSeq` itself out of range).
   */
  renumberAbove(ackedSeq: number): number {
    this.inFlight.clear();
    if (!Number.isSafeInteger(ackedSeq) || ackedSeq < 0 || ackedSeq >= MAX_SEQ) return 0;
    // already directly above the console: a new number would be the same number
    const min = (this.db.prepare('SELECT min(seq) AS m FROM reports').get() as { m: number | null }).m;
    if (min === null || min <= ackedSeq + 1) return 0;
    return this.db.transaction(() => this.renumberFrom(ackedSeq + 1))();
  }

  stats(): OutboxStats {
    return { ...this.totals(), nextSeq: this.nextSeq(), ...this.pendingCounters() };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Adds two reports' nudge outcome counts (a merge must not lose them). */
function mergeNudgeCounts(
  a: AgentCounters['nudges'],
  b: AgentCounters['nudges'],
): AgentCounters['nudges'] | undefined {
  if (!a && !b) return undefined;
  const out: NonNullable<AgentCounters['nudges']> = {};
  for (const src of [a, b]) {
    for (const [kind, c] of Object.entries(src ?? {})) {
      const cur = out[kind] ?? { shown: 0, dismissed: 0, snoozed: 0 };
      out[kind] = {
        shown: cur.shown + c.shown,
        dismissed: cur.dismissed + c.dismissed,
        snoozed: cur.snoozed + c.snoozed,
      };
    }
  }
  return out;
}
