import { DAY_MS, LIMITS, type Settings } from '@sluimer/shared';
import { deviceTotalWatts } from '../energy/energy-profile.js';
import {
  type DeviceUpdate,
  IngestConflictError,
  type IngestDeviceState,
  type Store,
} from '../store/types.js';
import { planBatch, type SlotWatts } from './plan.js';
import { slotWatts } from './rollup.js';
import type { IngestContext, IngestItem, IngestOutcome } from './types.js';

/** a batch recomputed this often when devices keep changing under it, before going one by one */
const CONFLICT_RETRIES = 3;

/**
 * Stores reports exactly once, for any store: reads the devices' state, plans the batch with the
 * ingest rules (plan.ts) and has the store commit it in one transaction. A device that changed in
 * between (another console process, a move to another group) makes the store refuse the commit;
 * the batch is then planned again from fresh state. Nothing is acknowledged before its commit.
 */
export class IngestService {
  constructor(private readonly store: Store) {}

  /** the limits reports are checked against at `now`: clock skew ahead, raw retention behind */
  async contextAt(now: number): Promise<IngestContext> {
    const settings = await this.store.getSettings();
    const ctx = {
      now,
      maxEnd: now + LIMITS.maxFutureSkewMs,
      minStart: now - settings.rawRetentionDays * DAY_MS,
    };
    // the batch planned with this context uses the same settings: one read (a round trip) less per batch
    this.settingsOf = { ctx, settings };
    return ctx;
  }
  private settingsOf: { ctx: IngestContext; settings: Settings } | undefined;

  /**
   * Stores reports in one transaction, in order, after the device updates (hello, last seen, policy
   * sent, policy status) collected with them; returns one outcome per report.
   */
  async ingestBatch(
    items: readonly IngestItem[],
    ctx: IngestContext,
    updates: readonly DeviceUpdate[] = [],
  ): Promise<IngestOutcome[]> {
    const settings = this.settingsOf?.ctx === ctx ? this.settingsOf.settings : await this.store.getSettings();
    try {
      return await this.attempt(items, updates, ctx, settings);
    } catch {
      // one item broke the batch (not a validation problem: those never throw): one by one, so the
      // others are stored and only the broken one is left unacknowledged
      for (const u of updates) {
        try {
          await this.attempt([], [u], ctx, settings);
        } catch {
          // a device update that cannot be written (device deleted) is dropped
        }
      }
      const outcomes: IngestOutcome[] = [];
      for (const item of items) {
        try {
          outcomes.push(...(await this.attempt([item], [], ctx, settings)));
        } catch (err) {
          outcomes.push({
            status: 'failed',
            seq: item.seq,
            message: `storing failed: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }
      return outcomes;
    }
  }

  /** plan and commit, planned again when a device changed under the batch */
  private async attempt(
    items: readonly IngestItem[],
    updates: readonly DeviceUpdate[],
    ctx: IngestContext,
    settings: Settings,
  ): Promise<IngestOutcome[]> {
    for (let tries = 0; ; tries++) {
      const ids = [...new Set(items.map((i) => i.deviceId))];
      const states = items.length ? await this.store.ingestState(ids) : new Map<number, IngestDeviceState>();
      // only reports with time move blocker spans (blocker-spans.ts)
      const openSpans = items.some((i) => i.intervals.length > 0)
        ? await this.store.openBlockerSpans(ids)
        : [];
      const { outcomes, write } = await planBatch({
        items,
        updates,
        states,
        ctx,
        wattsOf: (s) => this.wattsOf(s, settings),
        storedBetween: (id, from, to) => this.store.intervalsOverlapping([id], from, to),
        openSpans,
      });
      try {
        await this.store.commitIngest(write);
        return outcomes;
      } catch (err) {
        if (!(err instanceof IngestConflictError) || tries >= CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** watts per rollup slot, memoised per (profile, settings): the same few profiles recur all day */
  private wattsOf(s: IngestDeviceState, settings: Settings): SlotWatts {
    if (this.wattsMemoSettings !== settings || this.wattsMemo.size > 1000) {
      this.wattsMemo.clear();
      this.wattsMemoSettings = settings;
    }
    const key = JSON.stringify([s.deviceClass, s.detectedClass, s.desktopPreset, s.monitors]);
    let w = this.wattsMemo.get(key);
    if (!w) {
      w = slotWatts(deviceTotalWatts(s, settings));
      this.wattsMemo.set(key, w);
    }
    return w;
  }
  private readonly wattsMemo = new Map<string, SlotWatts>();
  private wattsMemoSettings: Settings | undefined;
}
