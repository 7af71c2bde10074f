/// <reference types="chrome" />
import {
  cutOpen,
  groupWeeksFromSummary,
  initialNudgeState,
  type NudgeState,
  observeSample,
  SLEEP_SOON_WARN_MS,
  startTracker,
  type TrackerConfig,
  type TrackerState,
  takeClosed,
  wholeSecondReport,
} from '@sluimer/agent/core';
import {
  AGENT_WS_PATH,
  bearerSubprotocols,
  ConsoleFrameSchema,
  type EffectivePolicy,
  EnrollResponseSchema,
  type Interval,
  PROTOCOL_VERSION,
  STRICT_INTERVALS_FEATURE,
  type SummaryFrame,
} from '@sluimer/shared';
import { BATTERY_QUESTION, POWER_CHANGED } from './battery-messages.js';
import { agentSocketUrl, idleDetectionSec, type ManagedConfig, parseManagedConfig } from './config.js';
import {
  afterEnroll,
  type EnrollBackoff,
  enrollOutcomeOf,
  mayEnroll,
  TOKEN_CHECK_PATH,
  type TokenCheck,
  tokenCheckOf,
  tokenMayBeRefused,
} from './enrollment.js';
import { hostnameFor, installIdFor, inventoryOs } from './identity.js';
import {
  type ChromeIdleState,
  nextLastInput,
  sampleFromIdleState,
  sessionIdleMs,
  sleepSoonDueAt,
} from './idle-sample.js';
import { decideChromeNudge, kindOfNotification, langFor, notificationFor } from './nudge.js';
import {
  ackUpTo,
  backoffDelay,
  emptyOutbox,
  enqueue,
  type OutboxState,
  rebaseAfterEnroll,
  refuse,
} from './outbox.js';
import { policyStatusFrame } from './policy-status.js';
import { powerSourceOf } from './power.js';

/**
 * The extension's service worker: chrome.idle → the core's tracker → whole-second reports in a durable
 * outbox (chrome.storage.local) → protocol v1 over a WebSocket to the console; nudges through
 * chrome.notifications. The worker may be stopped by Chrome at any moment: everything lives in
 * storage, and the socket is open only while there are reports to send (so the worker, which an open
 * socket keeps alive, sleeps when there is nothing to do). It never uses chrome.power: the extension
 * measures and nudges, ChromeOS (Google Admin) decides when the device sleeps.
 */

/** Test builds only (build.mjs --test-hooks): a policy in storage.local stands in for Google Admin. */
declare const __SLUIMER_TEST_HOOKS__: boolean;
const VERSION = chrome.runtime.getManifest().version;
const TICK_ALARM = 'sluimer-tick';
const NUDGE_ALARM = 'sluimer-nudge';
/** a report at least this often while in use, so the console's picture is at most this old */
const REPORT_EVERY_MS = 5 * 60_000;
/** recent intervals kept for the nudge rules (left-on looks three days back) */
const TIMELINE_KEEP_MS = 3 * 24 * 3600_000;
/** how long the socket stays open after the outbox emptied (a policy change may follow the welcome) */
const LINGER_MS = 2_000;

interface Identity {
  installId: string;
  deviceId: number;
  deviceToken: string;
  consoleUrl: string;
}

interface Persisted {
  v: 1;
  generatedId?: string;
  identity?: Identity;
  /** the console refused `identity`'s token (GET /api/v1/agent/device said 401): enroll again */
  tokenRefused?: boolean;
  /** attempts to (re-)enroll since the last welcome (enrollment.ts) */
  enrollBackoff?: EnrollBackoff;
  /** enrolled since the last welcome: its ackedSeq counts nothing queued here (outbox.ts rebaseAfterEnroll) */
  rebaseOnWelcome?: boolean;
  tracker?: TrackerState;
  outbox: OutboxState;
  nudges: NudgeState;
  policy?: EffectivePolicy;
  etag?: string;
  summary?: Pick<SummaryFrame, 'weekStart' | 'groups'>;
  timeline: Interval[];
  lastReportAt: number;
  idle: ChromeIdleState;
  /** mains or battery at the last step (power.ts); absent = not known */
  power?: 'ac' | 'battery';
  /** the pupil's last input as chrome.idle tells it (idle-sample.ts nextLastInput); null = unknown */
  lastInputAt?: number | null;
  lastError?: string;
  /** the last nudge decision that held a nudge back, for support: kind and reason, no content */
  lastHeld?: { at: number; kind: string; reason: string; idleMs: number | null };
}

const fresh = (): Persisted => ({
  v: 1,
  outbox: emptyOutbox(),
  nudges: initialNudgeState(),
  timeline: [],
  lastReportAt: 0,
  idle: 'active',
});

let memo: Persisted | null = null;
/** every change runs after the previous one: events may arrive while storage is being read */
let chain: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch((err: unknown) => console.warn('sluimer:', err));
  return next;
}

async function load(config: ManagedConfig): Promise<Persisted> {
  if (memo) return memo;
  const got = (await chrome.storage.local.get('state')) as { state?: Persisted };
  const s = got.state?.v === 1 ? got.state : fresh();
  // a new worker instance: performance.now() started again, so the tracker forgets its clock baseline
  if (s.tracker)
    s.tracker = startTracker(s.tracker, { now: Date.now(), bootWall: 0 }, trackerConfig(config, s));
  memo = s;
  return s;
}

async function save(s: Persisted): Promise<void> {
  memo = s;
  await chrome.storage.local.set({ state: s });
}

function trackerConfig(config: ManagedConfig, s: Pick<Persisted, 'policy'>): TrackerConfig {
  return { idleThresholdMs: idleDetectionSec(config, s.policy?.idleThresholdSec) * 1000 };
}

async function readConfig(): Promise<ManagedConfig | null> {
  let raw: unknown = await chrome.storage.managed.get(null).catch(() => ({}));
  if (__SLUIMER_TEST_HOOKS__ && (!raw || Object.keys(raw).length === 0)) {
    raw = ((await chrome.storage.local.get('testPolicy')) as { testPolicy?: unknown }).testPolicy ?? {};
  }
  const result = parseManagedConfig(raw);
  if (!result.ok) {
    console.warn(`sluimer: ${result.message}`);
    return null;
  }
  return result.config;
}

// ---------------------------------------------------------------- enrollment

async function deviceAttributes() {
  const ent = (chrome as { enterprise?: typeof chrome.enterprise }).enterprise;
  const read = async (fn: ((cb: (v: string) => void) => void) | undefined) =>
    fn
      ? await new Promise<string>((resolve) => fn((v) => resolve(chrome.runtime.lastError ? '' : (v ?? ''))))
      : '';
  const da = ent?.deviceAttributes;
  if (!da) return {};
  return {
    directoryId: await read(da.getDirectoryDeviceId?.bind(da)),
    serial: await read(da.getDeviceSerialNumber?.bind(da)),
    assetId: await read(da.getDeviceAssetId?.bind(da)),
    hostname: await read(da.getDeviceHostname?.bind(da)),
  };
}

async function ensureEnrolled(config: ManagedConfig, s: Persisted): Promise<Identity | null> {
  if (s.identity && s.identity.consoleUrl === config.consoleUrl && !s.tokenRefused) return s.identity;
  const now = Date.now();
  if (!mayEnroll(s.enrollBackoff, now)) return null;
  s.generatedId ??= crypto.randomUUID();
  const attrs = await deviceAttributes();
  const installId = installIdFor(attrs, s.generatedId);
  const platform = await chrome.runtime.getPlatformInfo();
  const res = await fetch(`${config.consoleUrl}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      enrollSecret: config.enrollSecret,
      installId,
      hostname: hostnameFor(attrs, installId),
      inventory: { os: inventoryOs(platform.os), ...(attrs.serial ? { serial: attrs.serial } : {}) },
    }),
  }).catch((err: Error) => err);
  const outcome = enrollOutcomeOf(res instanceof Error ? null : res.status);
  s.enrollBackoff = afterEnroll(s.enrollBackoff, outcome, now, Math.random());
  if (res instanceof Error || outcome !== 'enrolled') {
    const why = res instanceof Error ? res.message : `HTTP ${res.status} ${await res.text().catch(() => '')}`;
    s.lastError = `enroll failed: ${why}`.slice(0, 500);
    await save(s);
    return null;
  }
  const body = EnrollResponseSchema.parse(await res.json());
  s.identity = {
    installId,
    deviceId: body.deviceId,
    deviceToken: body.deviceToken,
    consoleUrl: config.consoleUrl,
  };
  delete s.tokenRefused;
  // Reports measured before (re-)enrollment stay queued and are numbered on after the first welcome's
  // ackedSeq (the device's numbering at the console, which this enrollment has not added to).
  s.rebaseOnWelcome = true;
  delete s.lastError;
  await save(s);
  return s.identity;
}

/** Does the console still take this token? Asked only after a socket failed as a refusal would. */
async function checkToken(identity: Identity): Promise<TokenCheck> {
  const res = await fetch(`${identity.consoleUrl}${TOKEN_CHECK_PATH}`, {
    headers: { authorization: `Bearer ${identity.deviceToken}` },
  }).catch(() => null);
  return tokenCheckOf(res?.status ?? null);
}

// ---------------------------------------------------------------- measuring

async function step(reason: 'boot' | 'start' | 'state' | 'tick', idle?: ChromeIdleState): Promise<void> {
  const config = await readConfig();
  if (!config) return;
  const s = await load(config);
  const cfg = trackerConfig(config, s);
  const detectionSec = cfg.idleThresholdMs / 1000;
  chrome.idle.setDetectionInterval(detectionSec);
  // Chrome's idle monitor only reports changes from what it last saw, and a new monitor (browser start,
  // extension installed) starts at `active`: at a start the extension takes the monitor's view, so no
  // change is ever missed; Chrome reports `idle` itself within a second when it applies. The minute
  // tick reads the state afresh, which bounds any drift to a minute.
  const state =
    idle ??
    (reason === 'boot' ? 'active' : reason === 'start' ? s.idle : await chrome.idle.queryState(detectionSec));
  const power = await readPower();
  // both clocks read together, after the last await: a wall time read before a slow await (a loaded
  // machine) would look to the tracker like the wall clock running ahead, i.e. a sleep
  const now = Date.now();
  const mono = performance.now();
  const lastInputAt = nextLastInput(
    { state: s.idle, lastInputAt: s.lastInputAt ?? null },
    state,
    now,
    cfg.idleThresholdMs,
  );
  s.idle = state;
  s.lastInputAt = lastInputAt;
  if (power === 'unknown') delete s.power;
  else s.power = power;
  if (__SLUIMER_TEST_HOOKS__) console.log(`sluimer step ${reason} ${state} ${now}`);
  s.tracker ??= startTracker(null, { now, bootWall: 0 }, cfg);
  s.tracker = observeSample(
    s.tracker,
    { ...sampleFromIdleState(state, now, mono, cfg.idleThresholdMs, lastInputAt), power },
    cfg,
  );
  const changed = reason === 'state' || s.tracker.closed.length > 0;
  if (changed || now - s.lastReportAt >= REPORT_EVERY_MS) writeReport(s, cfg);
  decideNudge(s, now);
  await save(s);
  const identity = await ensureEnrolled(config, s).catch((err: Error) => {
    s.lastError = `enroll failed: ${err.message}`;
    return null;
  });
  if (identity) link.want(identity, s.outbox.reports.length > 0 || !s.policy);
}

function writeReport(s: Persisted, cfg: TrackerConfig): void {
  if (!s.tracker) return;
  const [closed, taken] = takeClosed(cutOpen(s.tracker, cfg));
  const { report, held } = wholeSecondReport(closed);
  s.tracker = { ...taken, closed: held };
  s.lastReportAt = Date.now();
  if (report.length === 0) return;
  s.outbox = enqueue(s.outbox, report);
  const keepFrom = Date.now() - TIMELINE_KEEP_MS;
  s.timeline = [...s.timeline.filter((i) => i.end > keepFrom), ...report];
}

// ---------------------------------------------------------------- nudges

function decideNudge(s: Persisted, now: number): void {
  const t = s.tracker;
  if (!t) return;
  const view = [...s.timeline];
  if (t.open && t.open.state !== 'asleep')
    view.push({ start: Math.max(t.open.start, view.at(-1)?.end ?? 0), end: now, state: t.open.state });
  const zone = s.policy?.timeZone ?? 'Europe/Amsterdam';
  const idleMs = sessionIdleMs(s.idle, now, s.lastInputAt ?? null);
  const decision = decideChromeNudge({
    now,
    policy: s.policy ?? null,
    timeline: view.filter((i) => i.end > i.start),
    idleMs,
    ...(s.power ? { power: s.power } : {}),
    state: s.nudges,
    weeks: groupWeeksFromSummary(s.summary ? { ...s.summary } : null, now, zone),
  });
  s.nudges = decision.state;
  // test builds keep the last decisions, so a failing end-to-end run says what the extension saw
  if (__SLUIMER_TEST_HOOKS__)
    void traceDecision({ now, idle: s.idle, idleMs, held: decision.suppressed, nudge: decision.nudge?.id });
  if (decision.suppressed) {
    s.lastHeld = { at: now, ...decision.suppressed, idleMs };
  }
  if (decision.nudge) {
    const spec = notificationFor(decision.nudge, langFor(chrome.i18n.getUILanguage()), 'icon.png');
    chrome.notifications.create(spec.id, spec.options);
  }
  scheduleSleepSoonCheck(s, now);
}

async function traceDecision(entry: Record<string, unknown>): Promise<void> {
  const got = (await chrome.storage.local.get('trace')) as { trace?: unknown[] };
  await chrome.storage.local.set({ trace: [...(got.trace ?? []).slice(-40), entry] });
}

/** While idle, the sleep-soon warning is due two minutes before the policy's sleep timeout. */
function scheduleSleepSoonCheck(s: Persisted, now: number): void {
  const due = sleepSoonDueAt(
    s.idle,
    s.lastInputAt ?? null,
    s.policy?.sleepAfterSec?.[s.power ?? 'ac'],
    SLEEP_SOON_WARN_MS,
    now,
  );
  if (due === null) void chrome.alarms.clear(NUDGE_ALARM);
  else void chrome.alarms.create(NUDGE_ALARM, { when: due });
}

// ---------------------------------------------------------------- power source

const OFFSCREEN_URL = 'offscreen.html';

/**
 * Mains or battery, read through the offscreen document (service workers have no getBattery). The
 * document is created once and stays: creating it at every step would cost more than keeping it.
 * Anything that fails (no offscreen API, a policy that blocks it, no answer) is `unknown`.
 */
async function readPower(): Promise<'ac' | 'battery' | 'unknown'> {
  try {
    if (!chrome.offscreen) return 'unknown';
    const open = await chrome.runtime.getContexts({
      contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType],
    });
    if (open.length === 0) {
      await chrome.offscreen.createDocument({
        url: OFFSCREEN_URL,
        reasons: ['BATTERY_STATUS'],
        justification:
          'Leest of de Chromebook op de accu of het lichtnet werkt. / Reads whether the Chromebook runs on battery or mains.',
      });
    }
    return powerSourceOf(await chrome.runtime.sendMessage({ type: BATTERY_QUESTION }));
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------- the link (protocol v1)

class Link {
  private ws: WebSocket | null = null;
  private welcomed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private linger: ReturnType<typeof setTimeout> | null = null;
  private sent = new Set<number>();

  /** Opens the socket when there is something to send (or no policy yet); a no-op while it is open. */
  want(identity: Identity, needed: boolean): void {
    if (this.ws) {
      if (this.welcomed) void this.flush();
      return;
    }
    if (!needed || this.retry) return;
    this.open(identity);
  }

  private open(identity: Identity): void {
    const url = agentSocketUrl(identity.consoleUrl, AGENT_WS_PATH);
    // browsers cannot set headers on a WebSocket: the token goes as a subprotocol (protocol.ts)
    const ws = new WebSocket(url, bearerSubprotocols(identity.deviceToken));
    this.ws = ws;
    this.welcomed = false;
    this.sent.clear();
    let opened = false;
    ws.onopen = () => {
      opened = true;
      void serial(async () => {
        const s = memo;
        ws.send(
          JSON.stringify({
            type: 'hello',
            protocol: PROTOCOL_VERSION,
            agentVersion: `chrome-${VERSION}`,
            ...(s?.etag ? { policyEtag: s.etag } : {}),
            features: ['summary', STRICT_INTERVALS_FEATURE],
          }),
        );
      });
    };
    ws.onmessage = (ev) => void serial(() => this.onFrame(String(ev.data)));
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      if (this.linger) clearTimeout(this.linger);
      this.linger = null;
      void serial(async () => {
        const s = memo;
        if (ev.code === 1000 && s && s.outbox.reports.length === 0) return;
        if (s && ev.code !== 1000) s.lastError = `console connection closed (${ev.code})`;
        if (s && tokenMayBeRefused(opened, ev.code) && (await checkToken(identity)) === 'refused') {
          // erased or enrolled again elsewhere: the next step enrolls again, within its backoff
          s.tokenRefused = true;
          s.lastError = 'the console refused the device token; enrolling again';
          await save(s);
          void serial(() => step('tick'));
          return;
        }
        const delay = Math.max(500, backoffDelay(this.attempt++, Math.random()));
        this.retry = setTimeout(() => {
          this.retry = null;
          void serial(() => step('tick'));
        }, delay);
      });
    };
  }

  private async onFrame(text: string): Promise<void> {
    const s = memo;
    if (!s) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = ConsoleFrameSchema.safeParse(json);
    if (!parsed.success) return;
    const f = parsed.data;
    switch (f.type) {
      case 'welcome':
        this.welcomed = true;
        this.attempt = 0;
        delete s.enrollBackoff;
        s.policy = f.policy;
        s.etag = f.etag;
        s.outbox = s.rebaseOnWelcome
          ? rebaseAfterEnroll(s.outbox, f.ackedSeq)
          : ackUpTo(s.outbox, f.ackedSeq);
        delete s.rebaseOnWelcome;
        await this.answerPolicy(f.etag);
        break;
      case 'policy':
        s.policy = f.policy;
        s.etag = f.etag;
        await this.answerPolicy(f.etag);
        break;
      case 'ack':
        s.outbox = ackUpTo(s.outbox, f.seq);
        break;
      case 'error':
        if (f.seq !== undefined && f.code !== 'storage_unavailable' && f.code !== 'rate_limited') {
          s.outbox = refuse(s.outbox, f.seq);
        }
        s.lastError = `${f.code}: ${f.message}`.slice(0, 500);
        break;
      case 'summary':
        s.summary = { weekStart: f.weekStart, groups: f.groups };
        break;
    }
    await save(s);
    await this.flush();
  }

  /** Tells the console who enforces the policy (policy-status.ts): it never stays "pending". */
  private async answerPolicy(etag: string): Promise<void> {
    const platform = await chrome.runtime.getPlatformInfo();
    if (this.ws?.readyState === WebSocket.OPEN)
      this.ws.send(JSON.stringify(policyStatusFrame(platform.os, etag)));
  }

  /** Sends what was not sent on this socket; closes it once everything is acknowledged. */
  private async flush(): Promise<void> {
    const s = memo;
    const ws = this.ws;
    if (!s || !ws || !this.welcomed || ws.readyState !== WebSocket.OPEN) return;
    for (const r of s.outbox.reports) {
      if (this.sent.has(r.seq)) continue;
      ws.send(JSON.stringify(r));
      this.sent.add(r.seq);
    }
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (s.outbox.reports.length === 0) {
      this.linger = setTimeout(() => {
        if (this.ws === ws && memo?.outbox.reports.length === 0) ws.close(1000, 'nothing to send');
      }, LINGER_MS);
    }
  }
}

const link = new Link();

// ---------------------------------------------------------------- events

chrome.idle.onStateChanged.addListener((state) => void serial(() => step('state', state)));
chrome.alarms.onAlarm.addListener(() => void serial(() => step('tick')));
chrome.runtime.onStartup.addListener(() => void serial(() => step('boot')));
chrome.runtime.onInstalled.addListener(() => void serial(() => step('boot')));
chrome.runtime.onMessage.addListener((message: unknown, sender) => {
  // the charger was plugged in or out: a step records the new power source at once
  if (sender.id === chrome.runtime.id && (message as { type?: unknown } | null)?.type === POWER_CHANGED) {
    void serial(() => step('tick'));
  }
  return false;
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (__SLUIMER_TEST_HOOKS__ && area === 'local' && 'testPolicy' in changes)) {
    void serial(async () => {
      // another secret or console from Google Admin: worth trying at once, whatever failed before
      const config = await readConfig();
      if (config) delete (await load(config)).enrollBackoff;
      await step('start');
    });
  }
});
chrome.notifications.onButtonClicked.addListener((id) => {
  if (kindOfNotification(id) !== 'sleepSoon') return;
  void serial(async () => {
    const s = memo;
    const minutes = s?.policy?.snoozeMinutes;
    if (!s || !minutes) return;
    s.nudges = { ...s.nudges, snoozedUntil: Date.now() + minutes * 60_000 };
    await save(s);
  });
});
// created once: creating it again at every worker start would push its next firing a minute on, and
// a worker woken more often than that (idle events, nudge alarms) would never see a tick
void chrome.alarms.get(TICK_ALARM).then((a) => {
  if (!a) void chrome.alarms.create(TICK_ALARM, { periodInMinutes: 1 });
});
void serial(() => step('start'));
