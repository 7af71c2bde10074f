import { DAY_MS, HOUR_MS, type Settings } from '@sluimer/shared';
import type Database from 'better-sqlite3';
import { deviceTotalWatts } from '../energy/energy-profile.js';
import {
  ACTIVE,
  ASLEEP,
  accumulate,
  type Bucket,
  ENERGY,
  IDLE_OFF,
  IDLE_ON,
  OFF,
  slotOf,
  slotWatts,
  WASTE,
} from '../ingest/rollup.js';
import type { DeviceRecord } from './types.js';

type Row = Record<string, unknown>;

/** hours recomputed per transaction: a week of one device is a few hundred rows, about a millisecond */
export const RECOMPUTE_CHUNK_HOURS = 7 * 24;

/**
 * Recomputes stored energy (`energy_wh`, `waste_wh`) after a device's class, desktop preset or
 * monitors change, or the deployment's class or monitor watts change: hourly rollups are rebuilt
 * from the raw intervals still kept (the raw retention), and the daily and fleet rollups get the
 * difference. Older hours keep the figures they were stored with; so does any hour whose raw
 * intervals are no longer complete (its time per state from raw data differs from the stored time).
 *
 * Work is queued in the database (`energy_recompute`, so a restart resumes it) and done one device
 * and one week per transaction, yielding to the event loop in between so ingest is never held up for
 * more than a chunk. A device asked for again while it is being done is done again from the start.
 */
export class EnergyRecompute {
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly settings: () => Settings,
    private readonly now: () => number,
  ) {
    this.q = {
      enqueue: db.prepare(
        `INSERT INTO energy_recompute (device_id, gen) VALUES (?, 1)
         ON CONFLICT (device_id) DO UPDATE SET gen = gen + 1`,
      ),
      next: db.prepare('SELECT device_id, gen FROM energy_recompute ORDER BY device_id LIMIT 1'),
      done: db.prepare('DELETE FROM energy_recompute WHERE device_id = ? AND gen = ?'),
      gen: db.prepare('SELECT gen FROM energy_recompute WHERE device_id = ?'),
      device: db.prepare(
        'SELECT id, group_id, device_class, detected_class, desktop_preset, monitors, max_end FROM devices WHERE id = ?',
      ),
      before: db.prepare(
        'SELECT start, "end", state, display FROM intervals WHERE device_id = ? AND start < ? ORDER BY start DESC LIMIT 1',
      ),
      within: db.prepare(
        'SELECT start, "end", state, display FROM intervals WHERE device_id = ? AND start >= ? AND start < ? ORDER BY start',
      ),
      firstHour: db.prepare('SELECT MIN(hour) AS h FROM rollup_hour WHERE device_id = ? AND hour >= ?'),
      hours: db.prepare(
        `SELECT hour, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh FROM rollup_hour
         WHERE device_id = ? AND hour >= ? AND hour < ?`,
      ),
      setHour: db.prepare(
        'UPDATE rollup_hour SET energy_wh = ?, waste_wh = ? WHERE device_id = ? AND hour = ?',
      ),
      addDay: db.prepare(
        'UPDATE rollup_day SET energy_wh = energy_wh + ?, waste_wh = waste_wh + ? WHERE device_id = ? AND day = ?',
      ),
      addFleetHour: db.prepare(
        `UPDATE fleet_hour SET energy_wh = energy_wh + ?, waste_wh = waste_wh + ?
         WHERE hour = ? AND group_id = ? AND device_class = ?`,
      ),
      addBoardHour: db.prepare(
        'UPDATE board_hour SET energy_wh = energy_wh + ?, waste_wh = waste_wh + ? WHERE hour = ?',
      ),
      addFleetDay: db.prepare(
        `UPDATE fleet_day SET energy_wh = energy_wh + ?, waste_wh = waste_wh + ?
         WHERE day = ? AND group_id = ? AND device_class = ?`,
      ),
    };
  }

  /** queues these devices and starts working (in the background) */
  request(deviceIds: Iterable<number>): void {
    this.db.transaction(() => {
      for (const id of deviceIds) this.q.enqueue.run(id);
    })();
    this.kick();
  }

  /** starts working on what is queued, unless already working */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.work().finally(() => {
      this.running = undefined;
    });
  }

  /** resolves when the queue is empty (for tests and shutdown) */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  /** devices still queued */
  pending(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM energy_recompute').get() as Row).n);
  }

  private async work(): Promise<void> {
    const yieldNow = () => new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      await yieldNow();
      if (this.stopped || !this.db.open) return;
      const job = this.q.next.get() as Row | undefined;
      if (!job) return;
      const id = Number(job.device_id);
      const gen = Number(job.gen);
      const dev = this.q.device.get(id) as Row | undefined;
      if (dev) {
        const kept = Math.ceil((this.now() - this.settings().rawRetentionDays * DAY_MS) / HOUR_MS) * HOUR_MS;
        const oldest = (this.q.firstHour.get(id, kept) as Row | undefined)?.h;
        const first = oldest === null || oldest === undefined ? Number.POSITIVE_INFINITY : Number(oldest);
        const last = Math.ceil(Number(dev.max_end) / HOUR_MS) * HOUR_MS;
        let restarted = false;
        for (let a = first; a < last; a += RECOMPUTE_CHUNK_HOURS * HOUR_MS) {
          if (this.stopped || !this.db.open) return;
          // asked for again meanwhile (another correction): start over with the newest profile
          if (Number((this.q.gen.get(id) as Row | undefined)?.gen ?? gen) !== gen) {
            restarted = true;
            break;
          }
          this.db.transaction(() => this.chunk(id, a, Math.min(last, a + RECOMPUTE_CHUNK_HOURS * HOUR_MS)))();
          await yieldNow();
        }
        if (restarted) continue;
      }
      if (this.db.open) this.q.done.run(id, gen);
    }
  }

  /** one device, hours [a, b): rebuild from raw, write the differences */
  private chunk(id: number, a: number, b: number): void {
    const dev = this.q.device.get(id) as Row | undefined;
    if (!dev) return;
    const prev = this.q.before.get(id, a) as Row | undefined;
    const raw = [...(prev ? [prev] : []), ...(this.q.within.iterate(id, a, b) as IterableIterator<Row>)];
    const { groupId, deviceClass, hours, days } = repriceHours(
      dev,
      this.settings(),
      raw,
      this.q.hours.all(id, a, b) as Row[],
      a,
      b,
    );
    for (const h of hours) {
      this.q.setHour.run(h.energyWh, h.wasteWh, id, h.hour);
      this.q.addFleetHour.run(h.dE, h.dW, h.hour, groupId, deviceClass);
      this.q.addBoardHour.run(h.dE, h.dW, h.hour);
    }
    for (const d of days) {
      this.q.addDay.run(d.dE, d.dW, id, d.day);
      this.q.addFleetDay.run(d.dE, d.dW, d.day, groupId, deviceClass);
    }
  }
}

/** what a recompute chunk writes: new hour figures with their differences, and day differences */
export interface Repriced {
  groupId: number;
  /** the effective class (override, else detected) */
  deviceClass: string;
  hours: { hour: number; energyWh: number; wasteWh: number; dE: number; dW: number }[];
  days: { day: number; dE: number; dW: number }[];
}

/**
 * The pure part of a recompute chunk (any store): the device row (group, class, preset, monitors),
 * its raw intervals that reach into hours [a, b) (the one starting before `a` included) and its
 * stored hourly rollups there. An hour is re-priced only when its raw intervals are all still there
 * (the time per state from raw data equals the stored time); unchanged hours are left out.
 */
export function repriceHours(
  dev: Row,
  settings: Settings,
  raw: readonly Row[],
  stored: readonly Row[],
  a: number,
  b: number,
): Repriced {
  const profile = {
    deviceClass: (dev.device_class ?? null) as DeviceRecord['deviceClass'],
    detectedClass: dev.detected_class as DeviceRecord['detectedClass'],
    desktopPreset: (dev.desktop_preset ?? null) as DeviceRecord['desktopPreset'],
    monitors:
      typeof dev.monitors === 'string' ? (JSON.parse(dev.monitors) as DeviceRecord['monitors']) : null,
  };
  const { watts, waste } = slotWatts(deviceTotalWatts(profile, settings));
  const fresh = new Map<number, Bucket>();
  for (const r of raw) {
    const s = Math.max(Number(r.start), a);
    const e = Math.min(Number(r.end), b);
    if (e > s)
      accumulate(
        fresh,
        null,
        s,
        e,
        slotOf(r.state as never, (r.display ?? undefined) as never),
        watts,
        waste,
      );
  }
  const out: Repriced = {
    groupId: Number(dev.group_id),
    deviceClass: String(profile.deviceClass ?? profile.detectedClass),
    hours: [],
    days: [],
  };
  const dayDelta = new Map<number, [number, number]>();
  for (const r of stored) {
    const hour = Number(r.hour);
    const f = fresh.get(hour);
    // only hours whose raw intervals are all still there: the time per state must agree
    if (
      !f ||
      f[ACTIVE] !== Number(r.active_ms) ||
      f[IDLE_ON] !== Number(r.idle_on_ms) ||
      f[IDLE_OFF] !== Number(r.idle_off_ms) ||
      f[ASLEEP] !== Number(r.asleep_ms) ||
      f[OFF] !== Number(r.off_ms)
    ) {
      continue;
    }
    const dE = f[ENERGY]! - Number(r.energy_wh);
    const dW = f[WASTE]! - Number(r.waste_wh);
    if (dE === 0 && dW === 0) continue;
    out.hours.push({ hour, energyWh: f[ENERGY]!, wasteWh: f[WASTE]!, dE, dW });
    const day = Math.floor(hour / DAY_MS) * DAY_MS;
    const d = dayDelta.get(day) ?? [0, 0];
    d[0] += dE;
    d[1] += dW;
    dayDelta.set(day, d);
  }
  for (const [day, [dE, dW]] of dayDelta) out.days.push({ day, dE, dW });
  return out;
}
