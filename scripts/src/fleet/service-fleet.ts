import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentService, createAgentService, createLogger, SimulatedPlatform } from '@sluimer/agent';
import type { DeviceProfile } from '../model/behaviour.js';
import { hashSeed } from '../model/rng.js';
import { mapLimit } from './util.js';

/**
 * Mode (b) of the fleet simulator: the REAL agent service (`createAgentService`: tracker, durable
 * outbox, console link, policy enforcer) with the simulated platform, N of them in this process.
 * Each measures live time only — it cannot backfill history, because its tracker samples the idle
 * time every `sampleMs` as time passes (30 days for 300 devices would be ~150 million samples), and
 * its input pattern is the platform's random autopilot, not the school behaviour model. So the demo
 * and the benchmark use the protocol-level agents; this mode is for soak runs of the real service.
 */
export interface ServiceFleetOptions {
  server: string;
  enrollSecret: string;
  profiles: readonly DeviceProfile[];
  /** per-agent data directories (outbox.sqlite, token) go below this; omit for in-memory outboxes */
  dataDir?: string;
  sampleMs?: number;
  reportEveryMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface ServiceFleet {
  agents: { profile: DeviceProfile; service: AgentService; platform: SimulatedPlatform }[];
  stop(): Promise<void>;
}

export async function startServiceFleet(opts: ServiceFleetOptions): Promise<ServiceFleet> {
  const logger = createLogger({ level: opts.logLevel ?? 'warn', base: { app: 'sluimer-fleet' } });
  const agents = opts.profiles.map((profile) => {
    const platform = new SimulatedPlatform({
      inventory: profile.inventory,
      ...(profile.inventory.battery?.hasBattery ? { battery: { hasBattery: true, percent: 80 } } : {}),
      ...(profile.blocker ? { blockers: [profile.blocker] } : {}),
      autopilot: { seed: hashSeed('autopilot', profile.key) },
    });
    let dataDir: string | undefined;
    if (opts.dataDir) {
      dataDir = join(opts.dataDir, profile.installId);
      mkdirSync(dataDir, { recursive: true });
    }
    const service = createAgentService({
      platform,
      serverUrl: opts.server,
      enrollSecret: opts.enrollSecret,
      hostname: profile.hostname,
      agentVersion: 'sim-service',
      sampleMs: opts.sampleMs ?? 5000,
      reportEveryMs: opts.reportEveryMs ?? 60_000,
      logger,
      ...(dataDir ? { dataDir } : { outbox: ':memory:' }),
    });
    return { profile, service, platform };
  });
  await mapLimit(agents, 32, (a) => a.service.start());
  return {
    agents,
    async stop() {
      await mapLimit(agents, 64, (a) => a.service.stop());
    },
  };
}
