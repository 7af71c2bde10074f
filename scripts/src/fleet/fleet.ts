import { LIMITS } from '@sluimer/shared';
import { chunk, type DeviceProfile, deviceTimeline, type SchoolProfile } from '../model/behaviour.js';
import { enrollDevice } from './api-client.js';
import { ProtocolAgent, type ProtocolAgentOptions } from './protocol-agent.js';
import { mapLimit, sleep } from './util.js';

/** A simulated device: a behaviour profile, its enrollment and a protocol-level agent. */
export interface SimDevice {
  profile: DeviceProfile;
  school: SchoolProfile;
  deviceId: number;
  agent: ProtocolAgent;
  /** everything before this instant has been reported and acknowledged */
  reportedUntil: number;
  reports: number;
  intervals: number;
  rejected: number;
}

export interface FleetStats {
  reports: number;
  intervals: number;
  rejected: number;
  latenciesMs: number[];
}

export function newStats(): FleetStats {
  return { reports: 0, intervals: 0, rejected: 0, latenciesMs: [] };
}

/** Enrolls every device through POST /api/v1/enroll, a few at a time. */
export async function enrollFleet(
  server: string,
  items: readonly { profile: DeviceProfile; school: SchoolProfile; enrollSecret: string }[],
  opts: {
    concurrency?: number;
    agent?: Partial<ProtocolAgentOptions>;
    since: number;
    /** spread devices over these local addresses (round robin), as if behind several school NATs */
    localAddresses?: readonly string[];
  },
): Promise<SimDevice[]> {
  return mapLimit(items, opts.concurrency ?? 16, async ({ profile, school, enrollSecret }, i) => {
    const localAddress = opts.localAddresses?.length
      ? opts.localAddresses[i % opts.localAddresses.length]
      : undefined;
    const { deviceId, deviceToken } = await enrollDevice(
      server,
      {
        enrollSecret,
        installId: profile.installId,
        hostname: profile.hostname,
        inventory: profile.inventory,
      },
      0,
      localAddress,
    );
    const agent = new ProtocolAgent({
      server,
      deviceToken,
      inventory: profile.inventory,
      ...(localAddress ? { localAddress } : {}),
      ...opts.agent,
    });
    return {
      profile,
      school,
      deviceId,
      agent,
      reportedUntil: opts.since,
      reports: 0,
      intervals: 0,
      rejected: 0,
    };
  });
}

export async function connectFleet(devices: readonly SimDevice[], concurrency = 64): Promise<void> {
  await mapLimit(devices, concurrency, async (d) => {
    await d.agent.connect();
  });
}

/**
 * Reports the device's timeline from `reportedUntil` up to `to` in reports of at most
 * `LIMITS.maxIntervalsPerReport` intervals, up to `window` reports in flight, and waits for the acks.
 */
export async function reportUntil(d: SimDevice, to: number, stats: FleetStats, window = 4): Promise<void> {
  if (to <= d.reportedUntil) return;
  const { intervals, blockers } = deviceTimeline(d.profile, d.school, d.reportedUntil, to);
  const batches = chunk(intervals, LIMITS.maxIntervalsPerReport);
  const inFlight = new Set<Promise<void>>();
  for (const batch of batches) {
    const p = d.agent
      .report(batch, blockers)
      .then(
        (o) => {
          d.reports++;
          d.intervals += batch.length;
          stats.reports++;
          stats.intervals += batch.length;
          stats.latenciesMs.push(o.latencyMs);
        },
        () => {
          d.rejected++;
          stats.rejected++;
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  d.reportedUntil = to;
}

/** Backfills history for the whole fleet; `concurrency` devices at a time. */
export async function backfillFleet(
  devices: readonly SimDevice[],
  to: number,
  stats: FleetStats,
  concurrency = 32,
): Promise<void> {
  await mapLimit(devices, concurrency, (d) => reportUntil(d, to, stats));
}

export interface LiveHandle {
  stop(): Promise<void>;
}

/**
 * Keeps the fleet reporting in real time: every `everyMs` each device sends the intervals since
 * its last report (ticks spread over the period so the console sees a steady trickle). Real time,
 * not compressed: the console refuses intervals in the future.
 */
export function startLive(
  devices: readonly SimDevice[],
  stats: FleetStats,
  opts: { everyMs?: number; onError?(err: unknown): void } = {},
): LiveHandle {
  const everyMs = opts.everyMs ?? 60_000;
  let stopped = false;
  const running = new Set<Promise<void>>();
  const timers = devices.map((d, i) => {
    const tick = () => {
      if (stopped || !d.agent.connected) return;
      const p = reportUntil(d, Date.now(), stats)
        .catch((err) => opts.onError?.(err))
        .finally(() => running.delete(p));
      running.add(p);
    };
    const first = setTimeout(
      () => {
        tick();
        const t = setInterval(tick, everyMs);
        timers[i] = t;
      },
      Math.round(((i + 0.5) / devices.length) * everyMs),
    );
    return first as NodeJS.Timeout;
  });
  return {
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      // give in-flight reports a moment to be acked, then close
      await Promise.race([Promise.all(running), sleep(3000)]);
      await mapLimit(devices, 128, (d) => d.agent.close());
    },
  };
}
