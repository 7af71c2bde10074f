import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  type AgentCounters,
  type Blocker,
  BlockerSchema,
  EffectivePolicySchema,
  ErrorCode,
  type HelloFrame,
  INVENTORY_FEATURE,
  type Inventory,
  InventorySchema,
  idleThresholdMs,
  type PolicyStatusFrame,
  PROTOCOL_FEATURES,
  PROTOCOL_VERSION,
  type SluimerError,
} from '@sluimer/shared';
import {
  closeTracker,
  cutOpen,
  observeEvent,
  observeSample,
  type Sample,
  startTracker,
  type TrackerConfig,
  type TrackerState,
  takeClosed,
} from '../core/idle.js';
import { nextSampleDelayMs } from '../core/sampling.js';
import { advanceTimeline, startTimeline, type TimelineState } from '../core/timeline.js';
import { wholeSecondReport } from '../core/whole-seconds.js';
import { type Clock, type PlatformAdapter, type PowerEvent, systemClock } from '../platform/types.js';
import { ClockRecord } from './clock-record.js';
import { DeviceStateRecord } from './device-state.js';
import { enroll, type Identity, installId, isPermanentEnrollError, loadIdentity } from './enroll.js';
import { mergeInventory } from './hardware-reader.js';
import type { MiniFetch } from './http-fetch.js';
import { backoffDelay, ConsoleLink, LINK_DEFAULTS, type LinkState, type LinkTimings } from './link.js';
import { type Logger, silentLogger } from './log.js';
import { Outbox, type OutboxOptions, type OutboxStats } from './outbox.js';
import { PolicyEnforcer, toApplied } from './policy.js';
import type { SessionIdle } from './session-idle.js';
import { type DataDirLock, FileStore, type KeyStore, lockDataDir, MemoryStore } from './store.js';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const AGENT_VERSION = readVersion();

export interface AgentServiceOptions {
  platform: PlatformAdapter;
  /** console base URL, e.g. https://sluimer.school.nl */
  serverUrl: string;
  enrollSecret?: string;
  /** default: the platform's clock if it has one, else the system clock */
  clock?: Clock;
  /** where the outbox, token and saved settings live; without it everything is kept in memory */
  dataDir?: string;
  /** an outbox to use, or a path (':memory:' for in-memory); default `<dataDir>/outbox.sqlite` */
  outbox?: Outbox | string;
  outboxOptions?: OutboxOptions;
  /** key/value documents (token, originals, policy); default a FileStore in dataDir or a MemoryStore */
  store?: KeyStore;
  hostname?: string;
  agentVersion?: string;
  /** sample the idle time this often (default 5 s) */
  sampleMs?: number;
  /**
   * Longest wait between samples while the device is in use and idle time is polled (idle cannot
   * start sooner than the threshold); default the report period, so the sample and the report share
   * one wake-up. Where the platform sends idle transitions (`watchIdle`) the agent samples on those
   * events and once per report period, whatever the state.
   */
  maxActiveSampleMs?: number;
  /** cut the open interval and write a report this often (default 60 s) */
  reportEveryMs?: number;
  /** re-evaluate the policy for school-hours boundaries this often (default 60 s) */
  policyCheckMs?: number;
  /**
   * Between reports, the tracker state is saved at once when what it records changes (an interval
   * opened or closed, display/power changed, a clock clamp) and otherwise at most this often (default:
   * `reportEveryMs`; every report saves it too). What a killed agent can lose is the progress of the
   * last moment seen since the last save: see agent/README.md "Outbox".
   */
  stateCheckpointMs?: number;
  /** no internal timers: the caller calls `tick()` (fleet simulation, tests). The link still uses real timers. */
  manualTicks?: boolean;
  /**
   * Refuse to run when another agent holds the data dir (default true). Only tests that simulate a
   * crash inside one process turn it off.
   */
  dataDirLock?: boolean;
  /** wall time of the OS boot; default `clock.now() - os.uptime()` */
  bootWall?: number;
  tracker?: Omit<TrackerConfig, 'idleThresholdMs'>;
  link?: Partial<LinkTimings>;
  /** on stop, wait this long for acks of the last reports (default 2 s) */
  stopGraceMs?: number;
  random?: () => number;
  logger?: Logger;
  /** how to POST the enrollment (default node:http/https; global fetch works too) */
  fetch?: MiniFetch;
  /**
   * Correct report times with the console's clock (docs/reliability.md "clock trouble"): the offset
   * measured at each welcome is applied when a report is written, if it exceeds `thresholdMs`
   * (default 60 s); a new estimate within `holdMs` (default 5 s) of the held one is ignored.
   * `false` turns it off (tests that run simulated time faster than the console's real clock).
   */
  clockCorrection?: false | { thresholdMs?: number; holdMs?: number };
  /**
   * The idle time the pupil's session reports through a tray (service/session-idle.ts), read before
   * the platform's own; absent: the platform's alone.
   */
  sessionIdle?: SessionIdle;
  /** nudge outcome counts to send with the next report (the tray bridge's counters) */
  takeNudgeCounts?: () => AgentCounters['nudges'] | undefined;
  /**
   * Reads the hardware (service/hardware-reader.ts: systeminformation; the service runs it in a child,
   * service/hardware-process.ts) at start and every `hardwareEveryMs` (default a day), never per
   * sample. The answer is checked against InventorySchema. Absent: the platform adapter's inventory only.
   */
  hardware?: () => Promise<unknown>;
  hardwareEveryMs?: number;
}

export interface AgentStatus {
  deviceId: number | null;
  enrolled: boolean;
  link: LinkState;
  /** the state of the open interval, e.g. 'idle' */
  state: string | null;
  policyEtag: string | null;
  outbox: OutboxStats;
  /** set when the agent gave up (e.g. token refused and no enroll secret) */
  fatal: string | null;
}

export interface AgentService {
  /** local start (tracker, outbox, events, timers); enrollment and the console link run in the background */
  start(): Promise<void>;
  /** close the open interval durably, send what can be sent within the grace time, stop */
  stop(): Promise<void>;
  /** take one sample now; writes a report and re-evaluates the policy when they are due */
  tick(): Promise<void>;
  /** cut the open interval and write a report now; returns the new seqs */
  flush(): Promise<number[]>;
  /** read the hardware again (options.hardware) and send it to a console that accepts `inventory` */
  refreshInventory(): Promise<void>;
  /** the inventory as the hello sends it: the platform adapter's with the hardware reading over it */
  inventory(): Promise<Inventory>;
  status(): AgentStatus;
  readonly outbox: Outbox;
  readonly link: ConsoleLink;
  readonly policy: PolicyEnforcer;
  /** events: 'sampled' (after each sample), 'enrolled' (Identity), 'welcome', 'summary' (room/class week frame), 'ack' (seq), 'policy_status' (frame), 'report' (seqs), 'intervals' (closed intervals just written), 'fatal' (message), 'link' (state) */
  readonly events: EventEmitter;
}

/**
 * What a tracker state records, without the fields every sample moves forward: a change here is
 * saved at once, the progress fields only at checkpoints.
 */
function recordedPart(s: TrackerState): string {
  return JSON.stringify([s.open, s.attrs, s.changes, s.floor, s.closed.length]);
}

export function createAgentService(opts: AgentServiceOptions): AgentService {
  return new Agent(opts);
}

class Agent implements AgentService {
  readonly outbox: Outbox;
  readonly link: ConsoleLink;
  readonly policy: PolicyEnforcer;
  readonly events = new EventEmitter();
  private readonly platform: PlatformAdapter;
  private readonly clock: Clock;
  private readonly store: KeyStore;
  private readonly log: Logger;
  private readonly ownsOutbox: boolean;
  /** the tracker state, saved beside the reports in the outbox's database */
  private readonly deviceState: DeviceStateRecord;
  /** the clock offset and time floor, saved beside the reports in the outbox's database */
  private readonly clockRecord: ClockRecord;
  private readonly sampleMs: number;
  private readonly reportEveryMs: number;
  private readonly policyCheckMs: number;
  private readonly checkpointMs: number;
  /** the recorded part of the last saved tracker state (see `recordedPart`) and when it was saved */
  private savedRecord = '';
  private savedMono = Number.NEGATIVE_INFINITY;
  private readonly trackerCfg: TrackerConfig;
  private state: TrackerState | null = null;
  private identity: Identity | null = null;
  private inventoryCache: Inventory | null = null;
  /** the last hardware reading (options.hardware); null before the first or when it failed */
  private hardwareCache: Inventory | null = null;
  /** extension frames the console's last welcome said it accepts */
  private consoleFeatures: readonly string[] = [];
  private timers: NodeJS.Timeout[] = [];
  /** the one sample timer (re-armed after each sample); samples also run on idle events */
  private sampleTimer: NodeJS.Timeout | null = null;
  /** the platform's idle-transition watch (`watchIdle`) and the threshold it was armed with */
  private idleWatch: { thresholdMs: number; stop: () => void } | null = null;
  private arming: Promise<void> | null = null;
  private lastIdleMs: number | 'unknown' = 'unknown';
  /** the timeline at the last clock reading (core/timeline.ts); null before the first */
  private timeline: TimelineState | null = null;
  /** why the blockers could not be read at the last idle report (logged when it changes) */
  private blockersUnknownWhy: string | null = null;
  /** the power source last seen (sample or event); null before the first */
  private lastPower: 'ac' | 'battery' | 'unknown' | null = null;
  private readonly maxActiveSampleMs: number;
  private unsubscribe: (() => void) | null = null;
  private lastFlushMono = 0;
  private lastPolicyMono = 0;
  private ticking: Promise<void> | null = null;
  private started = false;
  private stopped = false;
  private reenrolled = false;
  private fatal: string | null = null;
  private pendingStatus: PolicyStatusFrame | null = null;
  private enrollAbort = new AbortController();
  private lock: DataDirLock | null = null;
  /** local wall time when the last hello was built (the round trip's start) */
  private helloLocal: number | null = null;

  constructor(private readonly opts: AgentServiceOptions) {
    this.platform = opts.platform;
    this.clock = opts.clock ?? (opts.platform as { clock?: Clock }).clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.store = opts.store ?? (opts.dataDir ? new FileStore(opts.dataDir) : new MemoryStore());
    if (opts.dataDir && opts.dataDirLock !== false) this.lock = lockDataDir(opts.dataDir);
    try {
      if (opts.outbox instanceof Outbox) {
        this.outbox = opts.outbox;
        this.ownsOutbox = false;
      } else {
        const path = opts.outbox ?? (opts.dataDir ? join(opts.dataDir, 'outbox.sqlite') : ':memory:');
        this.outbox = Outbox.open(path, opts.outboxOptions);
        this.ownsOutbox = true;
      }
    } catch (err) {
      this.lock?.release();
      throw err;
    }
    if (this.outbox.repaired) {
      this.log.error(
        'report numbers beyond 2^31 - 1 found (an older agent followed a faulty console); renumbered',
        {
          ...this.outbox.repaired,
        },
      );
    }
    this.deviceState = new DeviceStateRecord(this.outbox.database);
    // holds the last offset measured (offline start: reports written before the next welcome use it)
    this.clockRecord = new ClockRecord(this.outbox.database, opts.clockCorrection ?? {});
    this.sampleMs = opts.sampleMs ?? 5_000;
    this.reportEveryMs = opts.reportEveryMs ?? 60_000;
    // while in use, a polled device waits until idle could first begin, at most until the next report
    this.maxActiveSampleMs = opts.maxActiveSampleMs ?? this.reportEveryMs;
    this.policyCheckMs = opts.policyCheckMs ?? 60_000;
    this.checkpointMs = opts.stateCheckpointMs ?? this.reportEveryMs;
    this.policy = new PolicyEnforcer(this.platform, this.store, this.clock, this.log, () => {
      const session = this.opts.sessionIdle;
      return session
        ? session.powerSource(this.platform.os, () => this.platform.powerSource())
        : this.platform.powerSource();
    });
    this.trackerCfg = {
      ...opts.tracker,
      idleThresholdMs: idleThresholdMs(this.policy.current()?.policy ?? {}),
    };
    this.link = new ConsoleLink({
      serverUrl: opts.serverUrl,
      outbox: this.outbox,
      token: () => this.identity?.deviceToken,
      hello: () => this.hello(),
      onWelcome: async (f) => {
        const welcomeLocal = this.now();
        this.reenrolled = false;
        this.noteServerTime(f.serverTime, welcomeLocal);
        this.consoleFeatures = Array.isArray(f.features)
          ? f.features.filter((x) => typeof x === 'string')
          : [];
        this.events.emit('welcome', f);
        await this.onPolicy(f.policy, f.etag);
      },
      onPolicy: (f) => this.onPolicy(f.policy, f.etag),
      onAck: (seq) => this.events.emit('ack', seq),
      onSummary: (f) => this.events.emit('summary', f),
      onUnauthorized: () => this.onUnauthorized(),
      onStateChange: (s) => this.events.emit('link', s),
      ...(opts.link ? { timings: opts.link } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      logger: this.log.child({ part: 'link' }),
    });
  }

  async inventory(): Promise<Inventory> {
    if (!this.inventoryCache) {
      try {
        if (this.opts.hardware && !this.hardwareCache) await this.readHardware();
        const inv = InventorySchema.safeParse(
          mergeInventory(await this.platform.inventory(), this.hardwareCache),
        );
        this.inventoryCache = inv.success ? inv.data : {};
      } catch (err) {
        this.log.warn('inventory unavailable', { err });
        return {};
      }
    }
    return this.inventoryCache;
  }

  /** one hardware reading; a failure keeps the previous one (the inventory is never worth a crash) */
  private async readHardware(): Promise<void> {
    const read = this.opts.hardware;
    if (!read) return;
    try {
      const hw = InventorySchema.safeParse(await read());
      if (hw.success) this.hardwareCache = hw.data;
      else this.log.warn('hardware inventory not understood', { issues: hw.error.issues.length });
    } catch (err) {
      this.log.warn('hardware inventory unavailable', { err });
    }
  }

  /** the daily reading: a fresh inventory, sent at once to a console that accepts `inventory` frames */
  async refreshInventory(): Promise<void> {
    await this.readHardware();
    this.inventoryCache = null;
    const inventory = await this.inventory();
    if (this.consoleFeatures.includes(INVENTORY_FEATURE)) this.link.send({ type: 'inventory', inventory });
  }

  /**
   * Re-estimates the clock offset at a welcome (core/clock-offset.ts) and keeps it for the reports
   * written from now on. The tracker itself stays in local time.
   */
  private noteServerTime(serverTime: number, welcomeLocal: number): void {
    const seen = this.clockRecord.observe(serverTime, welcomeLocal, this.helloLocal);
    if (seen.beyondThreshold) {
      // skewMs: device − console (positive: the device clock is fast)
      this.log.warn('device clock differs from the console clock', {
        skewMs: -seen.measured,
        correcting: this.opts.clockCorrection !== false,
      });
    }
    if (seen.changed && seen.changed.from !== null)
      this.log.info('clock offset changed', { fromMs: seen.changed.from, toMs: seen.changed.to });
    if (seen.saveError) this.log.warn('could not save the clock offset', { err: seen.saveError });
  }

  private async hello(): Promise<HelloFrame> {
    this.helloLocal = this.now();
    const hello: HelloFrame = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentVersion: (this.opts.agentVersion ?? AGENT_VERSION).slice(0, 50),
      inventory: await this.inventory(),
      // extensions this agent understands (a console sends `summary` frames only when named here) and
      // `strict-intervals`: every interval it reports lasts at least 1 s (writeReport keeps that)
      features: [...PROTOCOL_FEATURES],
    };
    const etag = this.policy.current()?.etag;
    if (etag) hello.policyEtag = etag.slice(0, 100);
    return hello;
  }

  private async onPolicy(raw: unknown, etag: string): Promise<void> {
    let parsed = EffectivePolicySchema.safeParse(raw);
    if (!parsed.success) {
      // fields of a newer console at the top level are ignored; anything else keeps the old policy
      const lenient = EffectivePolicySchema.strip().safeParse(raw);
      const unknown =
        raw && typeof raw === 'object'
          ? Object.keys(raw).filter((k) => !(k in EffectivePolicySchema.shape))
          : [];
      if (lenient.success) {
        this.log.warn('policy has fields this agent does not know; ignoring them', { fields: unknown });
        parsed = lenient;
      } else {
        const message = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`)
          .join('; ');
        this.log.error('policy not understood; keeping the previous one', { message });
        this.sendStatus({
          type: 'policy_status',
          etag: etag.slice(0, 100),
          ok: false,
          applied: await this.platform
            .readSettings()
            .then(toApplied)
            .catch(() => ({})),
          errors: [
            {
              code: ErrorCode.BadFrame,
              message:
                `Beleid niet begrepen door agent ${AGENT_VERSION}; vorig beleid blijft gelden. / Policy not understood by agent ${AGENT_VERSION}; the previous policy stays: ${message}`.slice(
                  0,
                  1000,
                ),
            },
          ],
        });
        return;
      }
    }
    const policy = parsed.data;
    this.trackerCfg.idleThresholdMs = idleThresholdMs(policy);
    if (this.idleWatch) void this.armIdleWatch();
    const status = await this.policy.setPolicy(policy, etag);
    this.sendStatus(status);
  }

  private sendStatus(status: PolicyStatusFrame): void {
    this.events.emit('policy_status', status);
    if (!this.link.send(status)) this.pendingStatus = status;
    else this.pendingStatus = null;
  }

  private async onUnauthorized(): Promise<'retry' | 'backoff' | 'stop'> {
    if (this.opts.enrollSecret && !this.reenrolled) {
      this.reenrolled = true;
      this.log.info('device token refused; enrolling again with the enroll secret');
      try {
        await this.enrollNow();
        return 'retry';
      } catch (err) {
        if (isPermanentEnrollError(err)) return this.giveUp((err as Error).message);
        // the console is unreachable or busy: try the whole thing again later
        this.reenrolled = false;
        this.log.warn('enrolling again failed; retrying later', { err });
        return 'backoff';
      }
    }
    return this.giveUp(
      this.opts.enrollSecret
        ? 'De console weigert dit apparaat, ook na opnieuw inschrijven. / The console refuses this device even after enrolling again; ask IT whether it was removed.'
        : 'De console weigert het apparaattoken en er is geen inschrijfcode. Start opnieuw met --enroll-secret. / The console refused the device token and no enroll secret is available: run again with --enroll-secret.',
    );
  }

  private giveUp(message: string): 'stop' {
    this.fatal = message;
    this.log.error(message);
    void this.link.stop();
    this.events.emit('fatal', message);
    return 'stop';
  }

  private async enrollNow(): Promise<Identity> {
    if (!this.opts.enrollSecret) throw new Error('no enroll secret');
    const id = await enroll({
      serverUrl: this.opts.serverUrl,
      enrollSecret: this.opts.enrollSecret,
      installId: installId(this.store),
      hostname: this.opts.hostname ?? os.hostname(),
      inventory: await this.inventory(),
      signal: this.enrollAbort.signal,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
    this.store.write('device', id);
    this.identity = id;
    this.log.info('enrolled', { deviceId: id.deviceId });
    this.events.emit('enrolled', id);
    return id;
  }

  /** Enrolls (retrying network failures with backoff) when there is no token, then starts the link. */
  private async connectInBackground(): Promise<void> {
    this.identity = loadIdentity(this.store, this.opts.serverUrl);
    if (!this.identity) {
      if (!this.opts.enrollSecret) {
        this.giveUp(
          'Dit apparaat is nog niet ingeschreven: geef --enroll-secret mee. / This device is not enrolled yet: pass --enroll-secret.',
        );
        return;
      }
      // the link's backoff (full jitter, its base and cap): one rule for every retry to the console
      const timings = { ...LINK_DEFAULTS, ...this.opts.link };
      const random = this.opts.random ?? Math.random;
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          await this.enrollNow();
          break;
        } catch (err) {
          if (this.stopped) return;
          if (isPermanentEnrollError(err)) {
            this.giveUp((err as Error).message);
            return;
          }
          const jittered = backoffDelay(attempt, timings, random());
          const retryAfter = (err as SluimerError).details?.retryAfterMs;
          const delay =
            typeof retryAfter === 'number'
              ? Math.max(jittered, Math.min(retryAfter, timings.retryAfterMaxMs))
              : jittered;
          this.log.warn('enrollment failed; retrying', { err, delayMs: delay });
          await new Promise<void>((r) => {
            const timer = setTimeout(r, delay);
            this.enrollAbort.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              r();
            });
          });
        }
      }
    }
    if (this.stopped) return;
    this.link.start();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const now = this.now();
    const bootWall = this.opts.bootWall ?? now - os.uptime() * 1000;
    let persisted: TrackerState | null = null;
    try {
      persisted = this.deviceState.load<TrackerState>();
    } catch (err) {
      this.log.error('saved measuring state unreadable; starting fresh', { err });
      this.outbox.countDrop(0, 1);
    }
    this.state = startTracker(persisted, { now, bootWall }, this.trackerCfg);
    this.writeReport(); // e.g. the off interval inferred at boot
    this.lastFlushMono = this.clock.monotonic();
    this.lastPolicyMono = this.clock.monotonic();
    this.unsubscribe = this.platform.onEvent((e) => this.onEvent(e));
    if (!this.opts.manualTicks) {
      this.scheduleSample(this.sampleMs);
      void this.armIdleWatch();
    }
    // the policy kept from the last run still applies while offline (school hours continue)
    void this.policy.reevaluate().catch((err) => this.log.error('policy check failed', { err }));
    void this.connectInBackground();
    if (this.opts.hardware && !this.opts.manualTicks) {
      // the hardware changes rarely (a battery wears over months): once a day, never per sample
      const daily = setInterval(
        () => void this.refreshInventory().catch((err) => this.log.warn('inventory refresh failed', { err })),
        this.opts.hardwareEveryMs ?? 24 * 60 * 60 * 1000,
      );
      daily.unref();
      this.timers.push(daily);
    }
    await this.tick();
  }

  /** one timer at a time, re-armed after each sample */
  private scheduleSample(delay: number): void {
    if (this.sampleTimer) clearTimeout(this.sampleTimer);
    this.sampleTimer = setTimeout(() => {
      this.sampleTimer = null;
      this.sampleNow();
    }, delay);
  }

  /** a sample now (timer or idle event); the next one is scheduled when it is done */
  private sampleNow(): void {
    if (this.stopped) return;
    if (this.sampleTimer) clearTimeout(this.sampleTimer);
    this.sampleTimer = null;
    // an event during a running sample gets a sample of its own after it (the running one may have
    // read the idle time before the transition)
    const run = this.ticking ? this.ticking.catch(() => undefined).then(() => this.tick()) : this.tick();
    run
      .catch((err) => this.log.error('sample failed', { err }))
      .finally(() => {
        if (this.stopped || this.sampleTimer) return;
        this.scheduleSample(this.nextSampleDelay());
      });
  }

  /**
   * With idle events the next sample is the next report or policy check (the events bring the
   * transitions); polled, it follows core/sampling.ts: the base period while idle, and while in use
   * not before the threshold could first be crossed.
   */
  private nextSampleDelay(): number {
    if (this.idleWatch) {
      const mono = this.clock.monotonic();
      const report = this.reportEveryMs - (mono - this.lastFlushMono);
      const policy = this.policyCheckMs - (mono - this.lastPolicyMono);
      return Math.max(this.sampleMs, Math.min(report, policy));
    }
    return nextSampleDelayMs({
      open: this.state?.open?.state,
      idleMs: this.lastIdleMs,
      idleThresholdMs: this.trackerCfg.idleThresholdMs,
      baseMs: this.sampleMs,
      maxActiveMs: Math.max(this.sampleMs, this.maxActiveSampleMs),
    });
  }

  /**
   * Asks the platform for idle transitions at the current threshold (again when a policy moved it).
   * Without them (no such events on this OS or session) the agent polls.
   */
  private armIdleWatch(): Promise<void> {
    if (!this.platform.watchIdle || this.opts.manualTicks || this.stopped) return Promise.resolve();
    const threshold = this.trackerCfg.idleThresholdMs;
    if (this.idleWatch?.thresholdMs === threshold) return Promise.resolve();
    this.arming ??= (async () => {
      this.idleWatch?.stop();
      this.idleWatch = null;
      const stop = await this.platform
        .watchIdle?.(threshold, () => this.sampleNow())
        .catch((err) => {
          this.log.info('no idle events from the platform; polling', { err });
          return null;
        });
      if (!stop) return;
      if (this.stopped) stop();
      else this.idleWatch = { thresholdMs: threshold, stop };
    })().finally(() => {
      this.arming = null;
    });
    return this.arming;
  }

  /**
   * The agent's timeline (core/timeline.ts) from the clock sources: the wall clock until it is
   * stepped, then the time that really passed. Tracker, reports and the console clock offset all use
   * it; school hours use the wall clock.
   */
  private now(): number {
    const reading = {
      wall: this.clock.now(),
      mono: this.clock.monotonic(),
      boot: this.clock.boottime?.() ?? null,
    };
    if (!this.timeline) {
      this.timeline = startTimeline(reading);
      return this.timeline.now;
    }
    const out = advanceTimeline(this.timeline, reading);
    this.timeline = out.state;
    for (const c of out.changes)
      if (c.kind === 'step') this.log.info('wall clock stepped; every minute is kept', { stepMs: c.ms });
    return out.now;
  }

  private onEvent(e: PowerEvent): void {
    if (!this.state || this.stopped) return;
    try {
      // live events are stamped by the adapter's wall clock; the tracker runs on the timeline
      e = { ...e, at: this.now() };
      this.state = observeEvent(this.state, e, this.trackerCfg);
      this.saveState(); // power events are rare and matter: always durable at once
      if (e.type === 'resume') this.link.reconnectSoon();
      if (e.type === 'power-source') this.powerSwitched(e.source);
      // write before the machine sleeps or goes down
      if (e.type === 'shutdown' || e.type === 'suspend') this.writeReport();
    } catch (err) {
      this.log.error('power event not recorded', { err, type: e.type });
    }
  }

  /**
   * A switch between mains and battery (an event, or seen in a sample on OSes without events): check
   * the policy at once, so settings the OS does not switch by itself (a brightness cap) follow within
   * seconds instead of at the next periodic check.
   */
  private powerSwitched(source: 'ac' | 'battery' | 'unknown'): void {
    if (source === this.lastPower) return;
    const known = this.lastPower !== null;
    this.lastPower = source;
    if (!known || source === 'unknown' || this.stopped) return;
    void this.policy
      .reevaluate()
      .then((status) => {
        if (status) this.sendStatus(status);
      })
      .catch((err) => this.log.error('policy check after a power-source switch failed', { err }));
  }

  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.doTick().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    if (!this.state || this.stopped) return;
    const [idle, display, power] = await Promise.all([
      (this.opts.sessionIdle
        ? this.opts.sessionIdle.idleMs(() => this.platform.idleMs())
        : this.platform.idleMs()
      ).catch(() => 'unknown' as const),
      this.platform.displayState().catch(() => 'unknown' as const),
      (this.opts.sessionIdle
        ? this.opts.sessionIdle.powerSource(this.platform.os, () => this.platform.powerSource())
        : this.platform.powerSource()
      ).catch(() => 'unknown' as const),
    ]);
    if (!this.state || this.stopped) return;
    this.lastIdleMs = idle;
    this.powerSwitched(power);
    const sample: Sample = {
      wallNow: this.now(),
      monotonicNow: this.timeline!.mono,
      idleMs: idle,
      display,
      power,
    };
    const before = this.state;
    this.state = observeSample(this.state, sample, this.trackerCfg);
    // the core decides what was a sleep (core/idle.ts): a sleep interval it closed with this sample
    const woke = this.state.closed.slice(before.closed.length).some((i) => i.state === 'asleep');
    if (woke) {
      // after a sleep the old socket is most likely dead (NAT, Wi-Fi): do not wait for the ping
      this.link.reconnectSoon();
      // and school hours may have begun or ended meanwhile (monotonic time stood still)
      this.lastPolicyMono = Number.NEGATIVE_INFINITY;
    }
    const mono = this.clock.monotonic();
    if (mono - this.lastFlushMono >= this.reportEveryMs) {
      this.lastFlushMono = mono;
      await this.flushNow();
    } else {
      this.saveState(mono - this.savedMono < this.checkpointMs);
    }
    if (mono - this.lastPolicyMono >= this.policyCheckMs) {
      this.lastPolicyMono = mono;
      const status = await this.policy.reevaluate().catch((err) => {
        this.log.error('policy check failed', { err });
        return null;
      });
      if (status) this.sendStatus(status);
    }
    if (this.pendingStatus && this.link.state === 'ready') this.sendStatus(this.pendingStatus);
    if (this.idleWatch && this.idleWatch.thresholdMs !== this.trackerCfg.idleThresholdMs)
      void this.armIdleWatch();
    // the tray bridge decides its nudges on the same wake-up
    this.events.emit('sampled');
  }

  async flush(): Promise<number[]> {
    if (!this.state) return [];
    return this.flushNow();
  }

  /**
   * Saves the tracker state (one small SQLite transaction, fsynced). With `onlyIfChanged` it is
   * skipped when nothing but the progress fields moved (last moment, last input, last idle
   * confirmation, clock-jump baseline): a sample that only confirms "still active" or "still idle"
   * writes nothing, which saves most writes (and their fsyncs) of a steady device.
   */
  private saveState(onlyIfChanged = false): void {
    if (!this.state) return;
    const record = recordedPart(this.state);
    if (onlyIfChanged && record === this.savedRecord) return;
    this.deviceState.save(this.state);
    this.savedRecord = record;
    this.savedMono = this.clock.monotonic();
  }

  private noteSaved(state: TrackerState): void {
    this.savedRecord = recordedPart(state);
    this.savedMono = this.clock.monotonic();
  }

  private async flushNow(): Promise<number[]> {
    if (!this.state) return [];
    this.state = cutOpen(this.state, this.trackerCfg);
    let blockers: Blocker[] | undefined;
    if (this.state.closed.some((i) => i.state === 'idle')) {
      // blockers that cannot be listed are unknown: the report then carries none (never an empty
      // list standing for "nothing blocks")
      const list = await this.platform.blockers().catch((err: unknown) => {
        // said once per cause: on a device without logind it is the same at every idle report
        const why = err instanceof Error ? err.message : String(err);
        if (why !== this.blockersUnknownWhy) this.log.warn('blockers unknown for this report', { err });
        this.blockersUnknownWhy = why;
        return undefined;
      });
      if (list) this.blockersUnknownWhy = null;
      // one malformed blocker would make the console refuse the whole report
      blockers = list?.filter((b) => BlockerSchema.safeParse(b).success);
    }
    return this.writeReport(blockers);
  }

  /** Takes the closed intervals and writes them with the tracker state in one transaction. */
  private writeReport(blockers?: Blocker[]): number[] {
    if (!this.state) return [];
    const [closed, taken] = takeClosed(this.state);
    // whole seconds only (core/whole-seconds.ts): a short piece at the end stays in the tracker
    const { report: intervals, held, droppedMs } = wholeSecondReport(closed);
    if (droppedMs > 0)
      this.log.info('a stretch under 1 s with a gap on both sides was left out', { droppedMs });
    const next: TrackerState = { ...taken, closed: held };
    const nudges = this.opts.takeNudgeCounts?.();
    const shift = this.clockRecord.shift();
    // the report, the state that no longer holds its intervals and the moved time floor: all or none
    const seqs = this.outbox.database.transaction(() => {
      const written = this.outbox.enqueue({
        intervals: this.clockRecord.correct(intervals, shift),
        ...(blockers ? { blockers } : {}),
        ...(nudges ? { nudges } : {}),
        now: this.now() + (shift ?? 0),
      });
      this.deviceState.save(next);
      return written;
    });
    const { skipped, clipped } = this.clockRecord.lastCorrection;
    if (skipped > 0 || clipped > 0) {
      // a changed clock offset moved these before what was already written: left out, not overlapped
      this.log.info('intervals clipped to the previous report', { skipped, clipped });
    }
    if (intervals.length > 0) this.events.emit('intervals', intervals);
    this.state = next;
    this.noteSaved(next);
    if (seqs.length > 0) {
      this.events.emit('report', seqs);
      this.link.pump();
    }
    return seqs;
  }

  /**
   * Never throws and always lets go of the link, the outbox and the lock: a step that fails (e.g. the
   * outbox refusing the last write) is logged and the rest still runs, or the open socket and its
   * timers would keep the process alive after SIGTERM (security issue 9).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.sampleTimer) clearTimeout(this.sampleTimer);
    this.sampleTimer = null;
    this.idleWatch?.stop();
    this.idleWatch = null;
    this.unsubscribe?.();
    this.enrollAbort.abort();
    if (this.ticking) await this.ticking.catch(() => {});
    try {
      if (this.state) {
        this.state = closeTracker(this.state, this.now(), this.trackerCfg);
        this.writeReport();
      }
      const grace = this.opts.stopGraceMs ?? 2_000;
      if (grace > 0 && this.link.state === 'ready' && this.outbox.inFlight.size > 0) {
        const until = Date.now() + grace;
        while (this.outbox.inFlight.size > 0 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    } catch (err) {
      this.log.error('could not write the last report while stopping', { err });
    }
    await this.link.stop().catch((err) => this.log.error('link did not stop cleanly', { err }));
    try {
      if (this.ownsOutbox) this.outbox.close();
    } catch (err) {
      this.log.error('outbox did not close cleanly', { err });
    }
    this.lock?.release();
    this.log.info('stopped');
  }

  private lastStats: OutboxStats = { rows: 0, bytes: 0, nextSeq: 1, droppedReports: 0, droppedIntervals: 0 };

  private safeStats(): OutboxStats {
    try {
      this.lastStats = this.outbox.stats();
    } catch {
      // closed after stop: the last numbers seen
    }
    return this.lastStats;
  }

  status(): AgentStatus {
    return {
      deviceId: this.identity?.deviceId ?? null,
      enrolled: this.identity !== null,
      link: this.link.state,
      state: this.state?.open?.state ?? null,
      policyEtag: this.policy.current()?.etag ?? null,
      outbox: this.safeStats(),
      fatal: this.fatal,
    };
  }
}
