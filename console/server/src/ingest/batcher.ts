import type { FastifyBaseLogger } from 'fastify';
import type { DeviceUpdate } from '../store/types.js';
import type { IngestService } from './service.js';
import type { IngestItem, IngestOutcome } from './types.js';

/** a report's outcome and the console time its batch was committed at */
export interface Committed {
  outcome: IngestOutcome;
  at: number;
}

/**
 * Group commit: reports and small device writes that arrive while a batch is being stored wait and
 * go together in the next one, so thousands of agents cost one transaction (one disk sync) per batch,
 * not one per report. One batch at a time, in arrival order; a report's promise resolves only after
 * its batch is committed, so whoever acks it (the gateway) never acks what could still be lost.
 */
export class IngestBatcher {
  private pending: { item: IngestItem; resolve: (c: Committed) => void }[] = [];
  private updates: { update: DeviceUpdate; resolve: () => void }[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  /** counters for health and benchmarks */
  readonly stats = { batches: 0, reports: 0, intervals: 0, rejected: 0, duplicates: 0 };

  constructor(
    private readonly service: IngestService,
    private readonly now: () => number,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** reports waiting for the next batch (the gateway turns new agents away when too many wait) */
  get waiting(): number {
    return this.pending.length;
  }

  /** queues a report for the next batch; resolves with its outcome once that batch is committed */
  submit(item: IngestItem): Promise<Committed> {
    return new Promise((resolve) => {
      this.pending.push({ item, resolve });
      this.schedule();
    });
  }

  /** a small device write that rides along with the next batch; resolves once committed */
  update(u: DeviceUpdate): Promise<void> {
    return new Promise((resolve) => {
      this.updates.push({ update: u, resolve });
      this.schedule();
    });
  }

  /** resolves when everything queued so far is committed (shutdown) */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.length || this.updates.length) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule() {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** commits every report collected so far in one transaction, then resolves them in order */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const batch = this.pending;
    this.pending = [];
    const updates = this.updates;
    this.updates = [];
    if (batch.length === 0 && updates.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      let outcomes: IngestOutcome[];
      const now = this.now();
      try {
        outcomes = await this.service.ingestBatch(
          batch.map((p) => p.item),
          await this.service.contextAt(now),
          updates.map((u) => u.update),
        );
      } catch (err) {
        this.log.error({ err }, 'ingest batch failed');
        outcomes = batch.map((p) => ({ status: 'failed', seq: p.item.seq, message: 'storage unavailable' }));
      }
      this.stats.batches++;
      for (let i = 0; i < batch.length; i++) {
        const o = outcomes[i]!;
        const p = batch[i]!;
        if (o.status === 'stored') {
          this.stats.reports++;
          this.stats.intervals += p.item.intervals.length;
        } else if (o.status === 'duplicate') this.stats.duplicates++;
        else this.stats.rejected++;
        p.resolve({ outcome: o, at: now });
      }
      for (const u of updates) u.resolve();
    })().finally(() => {
      this.flushing = null;
      if (this.pending.length || this.updates.length) this.schedule();
    });
    return this.flushing;
  }
}
