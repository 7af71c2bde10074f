import type { EventEmitter } from 'node:events';
import {
  DEFAULT_ENERGY_SETTINGS,
  type DevicePowerProfile,
  describePolicy,
  deviceNoun,
  type EffectivePolicy,
  type EnergySettings,
  type Interval,
  type Lang,
  renderNudge,
  type SummaryFrame,
} from '@sluimer/shared';
import {
  addToTotals,
  decideNudge,
  deviceWeekFromTotals,
  FALLBACK_NUDGE_KINDS,
  groupWeeksFromSummary,
  type HourlyTotals,
  initialNudgeState,
  NudgeCounters,
  type NudgeDecision,
  type NudgeState,
  pruneTotals,
  snoozeNudges,
  todayFromTotals,
  type WeekSummary,
} from '../../core/nudges.js';
import { presentingFromBlockers } from '../../core/presenting.js';
import type { Clock, PlatformAdapter } from '../../platform/types.js';
import type { SessionNotifier } from '../../session/notifier.js';
import type { LinkState } from '../link.js';
import type { SessionIdle } from '../session-idle.js';
import type { KeyStore } from '../store.js';
import type { TrayState } from './protocol.js';
import { type AggregateSignals, type IpcServer, startIpcServer } from './server.js';

/**
 * Connects a running service to the trays: keeps today's and this week's totals from the intervals
 * the service records, turns policy and link state into the tray's state, asks the pure nudge logic
 * on every tick, and counts nudge outcomes (numbers only) for the next report.
 */
export interface BridgedAgent {
  readonly events: EventEmitter;
  status(): { link: LinkState; enrolled: boolean; state: string | null };
  readonly policy: { current(): { policy: EffectivePolicy; etag: string } | null };
}

export interface TrayBridgeOptions {
  agent: BridgedAgent;
  platform: Pick<PlatformAdapter, 'powerSource' | 'readSettings'> &
    Partial<Pick<PlatformAdapter, 'blockers' | 'os' | 'panelPct'>>;
  clock: Clock;
  /** how the energy model sees this device (class from the inventory) */
  profile: DevicePowerProfile;
  energy?: Pick<EnergySettings, 'priceEurPerKwh' | 'classWatts' | 'monitorWatts'>;
  ipcPath?: string;
  /** Unix: the session user who alone may open the socket (see `IpcServerOptions.owner`) */
  ipcOwner?: () => Promise<number | null>;
  /** see `IpcServerOptions.ownerWatchDir` */
  ipcOwnerWatchDir?: string;
  whyUrl?: string | null;
  defaultLang?: Lang;
  /** keeps nudge history and hourly totals across restarts */
  store?: KeyStore;
  /**
   * Decide and push state this often; default 0: on the agent's own samples (its 'sampled' event),
   * so the bridge never wakes the device by itself. 0 with `agentTicks: false`: only on `tick()`.
   */
  tickMs?: number;
  /** decide after every sample of the agent (default true) */
  agentTicks?: boolean;
  /**
   * room/class results from elsewhere; by default they come from the console's `summary` frames
   * (the agent's 'summary' event), kept in `store` across restarts
   */
  groupWeeks?: () => WeekSummary[];
  /**
   * No-tray fallback: while no tray is connected, due nudges of `FALLBACK_NUDGE_KINDS` (sleep soon,
   * left on) are shown as plain session notifications through this. No snooze is offered there: only
   * the tray can hold the pupil's session awake, and the service never does.
   */
  notifier?: SessionNotifier;
  /** the tray-reported idle time the agent reads (service/session-idle.ts): connected once listening */
  sessionIdle?: SessionIdle;
  /** nudge outcome counts the agent takes for its reports; default a new one (see `TrayBridge.counters`) */
  counters?: NudgeCounters;
  /** the idle time the service reads itself (for the fallback's sleep-soon warning); null = unknown */
  ownIdleMs?: () => Promise<number | null>;
  log?: (msg: string) => void;
}

export interface TrayBridge {
  readonly server: IpcServer;
  readonly counters: NudgeCounters;
  /** session signals of the connected trays (idle time for a service that cannot see the session) */
  signals(): AggregateSignals;
  tick(): Promise<NudgeDecision | null>;
  state(): TrayState;
  close(): Promise<void>;
}

const TIMELINE_KEEP_MS = 4 * 24 * 3_600_000;
/**
 * The brightness now is read again after a policy was applied or the power source changed, and
 * otherwise at most this often: on some OSes reading it runs a command.
 */
const BRIGHTNESS_MAX_AGE_MS = 10 * 60_000;
/** nudges sent to trays are remembered this long for their outcomes (and at most this many) */
const SENT_KEEP_MS = 2 * 24 * 3_600_000;
const SENT_KEEP = 200;
type SentNudge = { id: string; kind: string; at: number };

export async function startTrayBridge(opts: TrayBridgeOptions): Promise<TrayBridge> {
  const { agent, clock, store } = opts;
  const energy = opts.energy ?? DEFAULT_ENERGY_SETTINGS;
  const counters = opts.counters ?? new NudgeCounters();
  let nudgeState: NudgeState = store?.read<NudgeState>('nudges') ?? initialNudgeState();
  let totals: HourlyTotals = store?.read<HourlyTotals>('totals') ?? {};
  let summary: SummaryFrame | null = store?.read<SummaryFrame>('summary') ?? null;
  let timeline: Interval[] = [];
  let lastBrightness: number | null = null;
  let capped: { pct: number; cappedFromPct: number; cappedAt: number } | null = null;
  let lastSent = '';

  let brightnessCache: { at: number; source: string; pct: number | null } | null = null;
  /**
   * On Linux the live panel (sysfs: no process; the OS settings would be 5 `gsettings`), elsewhere the
   * brightness in the OS settings for this source (Windows: `powercfg`; its live-panel reading starts
   * PowerShell, which is heavier), hence the cache.
   */
  async function readBrightness(source: 'ac' | 'battery'): Promise<number | null> {
    const { platform } = opts;
    if (platform.panelPct && platform.os === 'linux') return platform.panelPct().catch(() => null);
    const settings = await platform.readSettings().catch(() => null);
    return settings?.brightnessPct[source] ?? null;
  }
  const readPower = () =>
    opts.sessionIdle
      ? opts.sessionIdle.powerSource(opts.platform.os ?? 'unknown', () => opts.platform.powerSource())
      : opts.platform.powerSource();
  const brightnessFor = async (source: 'ac' | 'battery') => {
    const now = clock.monotonic();
    if (
      brightnessCache &&
      brightnessCache.source === source &&
      now - brightnessCache.at < BRIGHTNESS_MAX_AGE_MS
    )
      return brightnessCache.pct;
    const pct = await readBrightness(source);
    brightnessCache = { at: now, source, pct };
    return pct;
  };

  const policy = () => agent.policy.current()?.policy ?? null;
  const zone = () => policy()?.timeZone ?? 'Europe/Amsterdam';

  const buildState = (): TrayState => {
    const p = policy();
    const noun = deviceNoun(opts.profile.deviceClass);
    const status = agent.status();
    const now = clock.now();
    const weeks = [
      ...(opts.groupWeeks?.() ?? groupWeeksFromSummary(summary, now, zone())),
      deviceWeekFromTotals(totals, now, energy.priceEurPerKwh, zone()),
    ];
    return {
      type: 'state',
      console: !status.enrolled ? 'not-enrolled' : status.link === 'ready' ? 'connected' : 'connecting',
      mode: !p ? 'none' : p.excludedReason ? 'excluded' : p.auditOnly ? 'audit' : 'enforcing',
      noun,
      policyText: { nl: describePolicy(p, 'nl', noun), en: describePolicy(p, 'en', noun) },
      today: Object.keys(totals).length ? todayFromTotals(totals, now, zone()) : null,
      snooze: {
        allowed: p?.allowSnooze === true,
        minutes: p?.snoozeMinutes ?? 60,
        until: nudgeState.snoozedUntil && nudgeState.snoozedUntil > now ? nudgeState.snoozedUntil : null,
      },
      whyUrl: opts.whyUrl ?? null,
      weeks: weeks.slice(0, 4),
      ...(opts.defaultLang ? { defaultLang: opts.defaultLang } : {}),
      ...(p?.timeZone ? { timeZone: p.timeZone } : {}),
    };
  };

  const persist = () => {
    store?.write('nudges', nudgeState);
    store?.write('totals', totals);
  };

  const pushState = (force = false) => {
    const s = buildState();
    const text = JSON.stringify(s);
    if (force || text !== lastSent) {
      lastSent = text;
      server.broadcastState(s);
    }
  };

  const counted = new Set<string>();
  let sentNudges: SentNudge[] = store?.read<SentNudge[]>('sent-nudges') ?? [];
  const rememberSent = (id: string, kind: string) => {
    const now = clock.now();
    sentNudges = [...sentNudges.filter((s) => now - s.at < SENT_KEEP_MS), { id, kind, at: now }].slice(
      -SENT_KEEP,
    );
    store?.write('sent-nudges', sentNudges);
  };
  const server = await startIpcServer({
    ...(opts.ipcPath ? { path: opts.ipcPath } : {}),
    ...(opts.ipcOwner ? { owner: opts.ipcOwner } : {}),
    ...(opts.ipcOwnerWatchDir ? { ownerWatchDir: opts.ipcOwnerWatchDir } : {}),
    getState: buildState,
    onSession: () => void tick(),
    onOutcome: (o) => {
      // only outcomes of nudges this service sent, each once: a tray cannot invent counts
      const key = `${o.nudgeId}:${o.outcome}`;
      const sent = sentNudges.some((s) => s.kind === o.kind && s.id === o.nudgeId);
      if (!sent || counted.has(key)) {
        opts.log?.(`nudge outcome ignored: ${sent ? 'already counted' : 'not a nudge this service sent'}`);
        return;
      }
      counted.add(key);
      if (counted.size > 1_000) counted.delete(counted.values().next().value as string);
      counters.add(o.kind, o.outcome);
    },
    onSnooze: () => {
      const p = policy();
      if (!p?.allowSnooze) return;
      nudgeState = snoozeNudges(nudgeState, clock.now(), p.snoozeMinutes ?? 60);
      persist();
      agent.events.emit('snooze', { until: nudgeState.snoozedUntil });
      pushState(true);
    },
    ...(opts.log ? { log: opts.log } : {}),
  });

  const onIntervals = (intervals: Interval[]) => {
    for (const iv of intervals) totals = addToTotals(totals, iv, opts.profile, energy);
    const now = clock.now();
    totals = pruneTotals(totals, now);
    timeline = [...timeline, ...intervals].filter((i) => i.end > now - TIMELINE_KEEP_MS);
    persist();
  };
  const onPolicyStatus = async () => {
    // a cap that lowered the screen: brightness before vs after applying
    const source = await readPower().catch(() => 'unknown' as const);
    if (source === 'unknown') return;
    brightnessCache = null; // applied just now: read again
    const now = await brightnessFor(source);
    if (typeof now === 'number') {
      if (lastBrightness !== null && lastBrightness > now) {
        capped = { pct: now, cappedFromPct: lastBrightness, cappedAt: clock.now() };
      }
      lastBrightness = now;
    }
  };
  agent.events.on('intervals', onIntervals);
  agent.events.on('policy_status', onPolicyStatus);
  const onLink = () => pushState();
  agent.events.on('link', onLink);
  const onSummary = (f: SummaryFrame) => {
    summary = f;
    store?.write('summary', f);
    pushState();
  };
  agent.events.on('summary', onSummary);

  // one decision at a time: a tray report and the timer must not both send the same nudge
  let running: Promise<NudgeDecision | null> | null = null;
  function tick(): Promise<NudgeDecision | null> {
    if (running) return running;
    running = decide().finally(() => {
      running = null;
    });
    return running;
  }

  async function decide(): Promise<NudgeDecision | null> {
    const now = clock.now();
    const signals = server.signals();
    const source = await readPower().catch(() => 'unknown' as const);
    const pct = source === 'unknown' ? null : await brightnessFor(source);
    if (typeof pct === 'number' && lastBrightness === null) lastBrightness = pct;
    // the open interval, so "the session running now" is visible before the next report
    const last = timeline.at(-1);
    const open = agent.status().state;
    const view = [...timeline];
    if (last && last.end < now && (open === 'active' || open === 'idle')) {
      view.push({ start: last.end, end: now, state: open });
    }
    // without a tray the service may speak itself: as if a session were there, and only if one is
    // found when a nudge is actually due (so no session lookup on every tick)
    const fallback = signals.trays === 0 && opts.notifier ? opts.notifier : null;
    let session: { idleMs: number | null; presenting: boolean } | null =
      signals.trays > 0 ? { idleMs: signals.idleMs, presenting: signals.presenting } : null;
    if (fallback) {
      // a presentation shows in the blockers (below); the desktop's own do-not-disturb still applies
      session = {
        idleMs: await (opts.ownIdleMs?.() ?? Promise.resolve(null)).catch(() => null),
        presenting: false,
      };
    }
    const decideWith = (s: typeof session) =>
      decideNudge({
        now,
        policy: policy(),
        timeline: view,
        session: s,
        ...(fallback ? { kinds: FALLBACK_NUDGE_KINDS } : {}),
        ...(source === 'unknown' ? {} : { power: source }),
        ...(typeof pct === 'number' ? { brightness: { pct, ...(capped ?? {}) } } : {}),
        profile: opts.profile,
        energy,
        weeks: buildState().weeks,
        state: nudgeState,
      });
    let decision = decideWith(session);
    // a presentation is looked for only when a nudge is due: the blockers the service lists (one OS
    // query), not a probe in the tray; blockers that cannot be read leave the nudge as decided
    if (decision.nudge && session && !session.presenting && opts.platform.blockers) {
      const blockers = await opts.platform.blockers().catch(() => null);
      if (blockers && presentingFromBlockers(blockers)) {
        session = { ...session, presenting: true };
        decision = decideWith(session);
      }
    }
    if (fallback && decision.nudge) {
      const target = await fallback.target().catch((err) => {
        opts.log?.(`no session for a notification: ${(err as Error).message}`);
        return null;
      });
      // nobody to tell: the nudge stays due (nothing is marked as told)
      if (!target) return { nudge: null, state: nudgeState };
      nudgeState = decision.state;
      persist();
      const nudge = decision.nudge;
      const text = renderNudge(nudge.content, opts.defaultLang ?? 'nl');
      void fallback
        .show({ title: text.title, body: text.body }, target)
        .then(() => counters.add(nudge.content.kind, 'shown'))
        .catch((err: Error) => opts.log?.(`session notification failed: ${err.message}`));
      pushState();
      return decision;
    }
    nudgeState = decision.state;
    if (decision.nudge) {
      const sent = server.sendNudge({
        id: decision.nudge.id,
        content: decision.nudge.content,
        ...(decision.nudge.snoozeMinutes ? { snoozeMinutes: decision.nudge.snoozeMinutes } : {}),
      });
      if (sent === 0) opts.log?.('nudge decided but no tray took it');
      else rememberSent(decision.nudge.id, decision.nudge.content.kind);
      persist();
    }
    pushState();
    return decision;
  }

  opts.sessionIdle?.connect(server);
  const timer = opts.tickMs ? setInterval(() => void tick(), opts.tickMs) : null;
  timer?.unref?.();
  const onSampled = () => void tick();
  if (opts.agentTicks !== false && !opts.tickMs) agent.events.on('sampled', onSampled);

  return {
    server,
    counters,
    signals: () => server.signals(),
    tick,
    state: buildState,
    async close() {
      if (timer) clearInterval(timer);
      agent.events.off('intervals', onIntervals);
      agent.events.off('policy_status', onPolicyStatus);
      agent.events.off('link', onLink);
      agent.events.off('summary', onSummary);
      agent.events.off('sampled', onSampled);
      opts.sessionIdle?.disconnect();
      persist();
      await server.close();
    },
  };
}
