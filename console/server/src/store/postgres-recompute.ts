import { DAY_MS, HOUR_MS, type Settings } from '@sluimer/shared';
import type pg from 'pg';
import { RECOMPUTE_CHUNK_HOURS, repriceHours } from './recompute.js';

type Row = Record<string, unknown>;

/** what the worker needs of the PostgreSQL store */
export interface RecomputeHost {
  readonly pool: pg.Pool;
  transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  getSettings(): Promise<Settings>;
}

/**
 * The energy recompute of store/recompute.ts for PostgreSQL: the same queue table
 * (`energy_recompute`, so a restart resumes), the same pricing (`repriceHours`), one device and one
 * week per transaction. Each chunk first locks the device row, which ingest's guarded advance and a
 * device move also take: so a chunk never interleaves with them, and when two console processes work
 * the same device, the second finds the hours already re-priced and writes no difference twice.
 */
export class PostgresEnergyRecompute {
  private running: Promise<void> | undefined;
  private stopped = false;
  /** kicked while working: look at the queue once more before stopping (a request committed late) */
  private again = false;

  constructor(
    private readonly host: RecomputeHost,
    private readonly now: () => number,
  ) {}

  /** starts working on what is queued, unless already working */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .catch(() => {
        // the database went away or the store closed: the queue is kept, the next start resumes it
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** resolves when the queue is empty or the worker stopped (for tests and shutdown) */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  /** devices still queued */
  async pending(): Promise<number> {
    return Number((await this.host.pool.query('SELECT COUNT(*) AS n FROM energy_recompute')).rows[0].n);
  }

  private async work(): Promise<void> {
    const pool = this.host.pool;
    for (;;) {
      if (this.stopped) return;
      const job = (await pool.query('SELECT device_id, gen FROM energy_recompute ORDER BY device_id LIMIT 1'))
        .rows[0] as Row | undefined;
      if (!job) {
        if (!this.again) return;
        this.again = false;
        continue;
      }
      const id = Number(job.device_id);
      const gen = Number(job.gen);
      const dev = (await pool.query('SELECT max_end FROM devices WHERE id = $1', [id])).rows[0] as
        | Row
        | undefined;
      if (dev) {
        const settings = await this.host.getSettings();
        const kept = Math.ceil((this.now() - settings.rawRetentionDays * DAY_MS) / HOUR_MS) * HOUR_MS;
        const oldest = (
          await pool.query('SELECT MIN(hour) AS h FROM rollup_hour WHERE device_id = $1 AND hour >= $2', [
            id,
            kept,
          ])
        ).rows[0]?.h;
        const first = oldest === null || oldest === undefined ? Number.POSITIVE_INFINITY : Number(oldest);
        const last = Math.ceil(Number(dev.max_end) / HOUR_MS) * HOUR_MS;
        let restarted = false;
        for (let a = first; a < last; a += RECOMPUTE_CHUNK_HOURS * HOUR_MS) {
          if (this.stopped) return;
          // asked for again meanwhile (another correction): start over with the newest profile
          const now = (await pool.query('SELECT gen FROM energy_recompute WHERE device_id = $1', [id]))
            .rows[0];
          if (now && Number(now.gen) !== gen) {
            restarted = true;
            break;
          }
          const b = Math.min(last, a + RECOMPUTE_CHUNK_HOURS * HOUR_MS);
          await this.host.transaction((c) => this.chunk(c, id, a, b, settings));
        }
        if (restarted) continue;
      }
      await pool.query('DELETE FROM energy_recompute WHERE device_id = $1 AND gen = $2', [id, gen]);
    }
  }

  /** one device, hours [a, b): rebuild from raw, write the differences (a fixed number of statements) */
  private async chunk(c: pg.PoolClient, id: number, a: number, b: number, settings: Settings): Promise<void> {
    const dev = (
      await c.query(
        'SELECT id, group_id, device_class, detected_class, desktop_preset, monitors FROM devices WHERE id = $1 FOR UPDATE',
        [id],
      )
    ).rows[0] as Row | undefined;
    if (!dev) return;
    const raw = (
      await c.query(
        `(SELECT start, "end", state, display FROM intervals WHERE device_id = $1 AND start < $2 ORDER BY start DESC LIMIT 1)
         UNION ALL
         (SELECT start, "end", state, display FROM intervals WHERE device_id = $1 AND start >= $2 AND start < $3 ORDER BY start)`,
        [id, a, b],
      )
    ).rows as Row[];
    const stored = (
      await c.query(
        `SELECT hour, active_ms, idle_on_ms, idle_off_ms, asleep_ms, off_ms, energy_wh, waste_wh FROM rollup_hour
         WHERE device_id = $1 AND hour >= $2 AND hour < $3`,
        [id, a, b],
      )
    ).rows as Row[];
    const r = repriceHours(dev, settings, raw, stored, a, b);
    if (r.hours.length === 0) return;
    const hours = r.hours.map((h) => h.hour);
    const dE = r.hours.map((h) => h.dE);
    const dW = r.hours.map((h) => h.dW);
    await c.query(
      `UPDATE rollup_hour r SET energy_wh = u.e, waste_wh = u.w
       FROM unnest($2::bigint[], $3::float8[], $4::float8[]) AS u(hour, e, w) WHERE r.device_id = $1 AND r.hour = u.hour`,
      [id, hours, r.hours.map((h) => h.energyWh), r.hours.map((h) => h.wasteWh)],
    );
    await c.query(
      `UPDATE fleet_hour f SET energy_wh = f.energy_wh + u.de, waste_wh = f.waste_wh + u.dw
       FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(hour, de, dw)
       WHERE f.hour = u.hour AND f.group_id = $4 AND f.device_class = $5`,
      [hours, dE, dW, r.groupId, r.deviceClass],
    );
    await c.query(
      `UPDATE board_hour h SET energy_wh = h.energy_wh + u.de, waste_wh = h.waste_wh + u.dw
       FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(hour, de, dw) WHERE h.hour = u.hour`,
      [hours, dE, dW],
    );
    const days = r.days.map((d) => d.day);
    const ddE = r.days.map((d) => d.dE);
    const ddW = r.days.map((d) => d.dW);
    await c.query(
      `UPDATE rollup_day r SET energy_wh = r.energy_wh + u.de, waste_wh = r.waste_wh + u.dw
       FROM unnest($2::bigint[], $3::float8[], $4::float8[]) AS u(day, de, dw) WHERE r.device_id = $1 AND r.day = u.day`,
      [id, days, ddE, ddW],
    );
    await c.query(
      `UPDATE fleet_day f SET energy_wh = f.energy_wh + u.de, waste_wh = f.waste_wh + u.dw
       FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(day, de, dw)
       WHERE f.day = u.day AND f.group_id = $4 AND f.device_class = $5`,
      [days, ddE, ddW, r.groupId, r.deviceClass],
    );
  }
}
