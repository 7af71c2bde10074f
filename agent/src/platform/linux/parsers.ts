import { type Blocker, ErrorCode, SluimerError } from '@sluimer/shared';
import { normalizeText } from '../runner.js';

// ---- systemd-inhibit --list (docs/platforms-support.md, "Linux: systemd-inhibit --list") ----

export interface Inhibitor {
  who: string;
  uid?: number;
  user?: string;
  pid?: number;
  comm?: string;
  what: string[];
  why: string;
  mode: string;
}

const COLUMNS = ['WHO', 'UID', 'USER', 'PID', 'COMM', 'WHAT', 'WHY', 'MODE'] as const;
const isInt = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);

function splitWhat(what: string): string[] {
  return what
    .split(':')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w.length > 0);
}

function fromRow(c: string[]): Inhibitor | null {
  const [who, uid, user, pid, comm, what, why, mode] = c.map((x) => x.trim());
  if (!who || !isInt(uid) || !isInt(pid) || !what || !mode) return null;
  return {
    who,
    uid: Number(uid),
    user: user ?? '',
    pid: Number(pid),
    comm: comm ?? '',
    what: splitWhat(what),
    why: why ?? '',
    mode: mode.toLowerCase(),
  };
}

/** Splits around the numeric columns: WHO … UID USER PID COMM WHAT WHY … MODE. */
const ROW = /^(.+?)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*?)\s*(\S+)$/;

function parseRecordStyle(lines: string[]): Inhibitor[] {
  // older systemd: "Who: GNOME Shell (UID 1000/user, PID 1234/gnome-shell)" / What: / Why: / Mode:
  const out: Inhibitor[] = [];
  let cur: Partial<Inhibitor> | null = null;
  const flush = () => {
    if (cur?.who && cur.what && cur.mode) out.push({ why: '', ...cur } as Inhibitor);
    cur = null;
  };
  for (const line of lines) {
    const m = /^\s*(Who|What|Why|Mode):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'Who') {
      flush();
      cur = {};
      const w = /^(.*?)\s*\(UID (\d+)\/([^,]*), PID (\d+)\/([^)]*)\)\s*$/.exec(value!);
      if (w) Object.assign(cur, { who: w[1], uid: Number(w[2]), user: w[3], pid: Number(w[4]), comm: w[5] });
      else cur.who = value!.trim();
    } else if (cur && key === 'What') cur.what = splitWhat(value!);
    else if (cur && key === 'Why') cur.why = value!.trim();
    else if (cur && key === 'Mode') cur.mode = value!.trim().toLowerCase();
  }
  flush();
  return out;
}

const cannotTell = (what: string) =>
  new SluimerError(
    ErrorCode.ParseFailed,
    `systemd-inhibit --list: ${what}; the sleep blockers are unknown (not "none")`,
  );

/**
 * `systemd-inhibit --list` in any of its layouts. What cannot be decided is never read as "none": a
 * MODE column cut off (narrow terminal, pager, a screenshot) gives `mode: 'unknown'` (a possible
 * blocker, see `mayBlockSleep`); text that is not an inhibitor list, rows that cannot be read, or
 * fewer rows than the "N inhibitors listed." footer counts throw a `parse_failed` SluimerError.
 */
export function parseInhibitors(text: string): Inhibitor[] {
  const t = normalizeText(text);
  const trimmed = t.trim();
  if (trimmed.startsWith('[')) return parseInhibitJson(trimmed);
  const lines = t.split('\n').map((l) => l.replace(/\s+$/, ''));
  const footer = lines
    .map((l) => /^\s*(\d+) inhibitors? listed\.\s*$/i.exec(l)?.[1])
    .find((n) => n !== undefined);
  const none = lines.some((l) => /^\s*No inhibitors\.\s*$/i.test(l));
  // the header names the columns; their order and set may differ between systemd versions, and the
  // right-hand ones (WHY, MODE) are the first to be cut off
  const headerIdx = lines.findIndex((l) => {
    const words = l.trim().toUpperCase().split(/\s+/);
    return ['WHO', 'WHAT'].every((w) => words.includes(w));
  });
  if (headerIdx < 0) {
    const records = parseRecordStyle(lines);
    if (records.length > 0 || none || footer === '0') return records;
    if (trimmed === '') throw cannotTell('empty output');
    throw cannotTell('not an inhibitor list');
  }
  const header = lines[headerIdx]!;
  const cols = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0].toUpperCase(), start: m.index ?? 0 }));
  const standard = cols.map((c) => c.name).join(' ') === COLUMNS.join(' ');
  const out: Inhibitor[] = [];
  const unread: string[] = [];
  for (const line of lines.slice(headerIdx + 1)) {
    if (line.trim() === '') continue;
    if (/^\s*(\d+ inhibitors? listed\.|No inhibitors\.)\s*$/i.test(line)) continue;
    const cellsByName = new Map(
      cols.map(
        (c, i) =>
          [c.name, line.slice(c.start, i + 1 < cols.length ? cols[i + 1]!.start : undefined).trim()] as const,
      ),
    );
    // no MODE column, or a row cut before it: the mode is unknown, not absent
    if (!cellsByName.get('MODE')) cellsByName.set('MODE', 'unknown');
    const cells = COLUMNS.map((c) => cellsByName.get(c) ?? '');
    let inh: Inhibitor | null = null;
    const plausible =
      /^\S+$/.test(cellsByName.get('WHAT') ?? '') &&
      /^\S+$/.test(cellsByName.get('MODE') ?? '') &&
      (!cellsByName.has('UID') || isInt(cellsByName.get('UID'))) &&
      (!cellsByName.has('PID') || isInt(cellsByName.get('PID')));
    if (plausible) {
      const [who, uid, user, pid, comm, what, why, mode] = cells;
      if (who && what && mode) {
        inh = { who, what: splitWhat(what), why: why ?? '', mode: mode.toLowerCase() };
        if (isInt(uid)) inh.uid = Number(uid);
        if (user) inh.user = user;
        if (isInt(pid)) inh.pid = Number(pid);
        if (comm) inh.comm = comm;
      }
    }
    // a cell wider than its column shifts the rest: split around the numeric columns instead
    if (!inh && standard) {
      const m = ROW.exec(line.trim());
      inh = m ? fromRow(m.slice(1)) : null;
    }
    if (inh) out.push(inh);
    else unread.push(line.trim());
  }
  if (unread.length > 0)
    throw cannotTell(`${unread.length} row(s) not readable, e.g. "${unread[0]!.slice(0, 80)}"`);
  if (footer !== undefined && Number(footer) > out.length)
    throw cannotTell(`${footer} inhibitors listed but only ${out.length} rows present`);
  return out;
}

/** `systemd-inhibit --list --json=short` (newer systemd). */
export function parseInhibitJson(text: string): Inhibitor[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw cannotTell('JSON output cut off or malformed');
  }
  if (!Array.isArray(v)) throw cannotTell('JSON output is not a list');
  return v
    .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    .map((r) => ({
      who: String(r.who ?? ''),
      uid: Number(r.uid),
      user: String(r.user ?? ''),
      pid: Number(r.pid),
      comm: String(r.comm ?? ''),
      what: Array.isArray(r.what)
        ? r.what.map((w) => String(w).toLowerCase())
        : splitWhat(String(r.what ?? '')),
      why: String(r.why ?? ''),
      mode: String(r.mode ?? 'unknown').toLowerCase() || 'unknown',
    }))
    .filter((i) => i.who);
}

/**
 * logind `ListInhibitors` through `busctl --system call …`: `a(ssssuu) N "what" "who" "why" "mode" uid pid …`.
 */
/**
 * logind's ListInhibitors as read over D-Bus (`a(ssssuu)`: what, who, why, mode, uid, pid). A row of
 * other types means the reply is not understood, and the whole list is refused: a shorter list would
 * read as "nothing else blocks".
 */
export function inhibitorsFromRows(rows: unknown): Inhibitor[] {
  const fail = () =>
    new SluimerError(
      ErrorCode.ParseFailed,
      'logind ListInhibitors: reply not understood; the sleep blockers are unknown',
    );
  if (!Array.isArray(rows)) throw fail();
  return rows.map((row) => {
    if (!Array.isArray(row) || row.length !== 6) throw fail();
    const [what, who, why, mode, uid, pid] = row as unknown[];
    if (typeof what !== 'string' || typeof who !== 'string' || typeof why !== 'string') throw fail();
    if (typeof mode !== 'string' || typeof uid !== 'number' || typeof pid !== 'number') throw fail();
    return { what: splitWhat(what), who, why, mode: mode.toLowerCase(), uid, pid };
  });
}

export function parseBusctlInhibitors(text: string): Inhibitor[] {
  const t = normalizeText(text).trim();
  const m = /^a\(ssssuu\)\s+(\d+)\s*(.*)$/s.exec(t);
  if (!m)
    throw new SluimerError(
      ErrorCode.ParseFailed,
      `logind ListInhibitors: unexpected reply "${t.slice(0, 60)}"; the sleep blockers are unknown`,
    );
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const tok of m[2]!.matchAll(re))
    tokens.push(tok[1] !== undefined ? tok[1].replace(/\\(.)/g, '$1') : tok[2]!);
  const out: Inhibitor[] = [];
  for (let i = 0; i + 5 < tokens.length + 0 && out.length < Number(m[1]); i += 6) {
    const [what, who, why, mode, uid, pid] = tokens.slice(i, i + 6);
    out.push({
      what: splitWhat(what!),
      who: who!,
      why: why!,
      mode: mode!.toLowerCase(),
      uid: Number(uid),
      pid: Number(pid),
    });
  }
  if (out.length < Number(m[1]))
    throw new SluimerError(
      ErrorCode.ParseFailed,
      `logind ListInhibitors: ${m[1]} inhibitors announced, ${out.length} readable; the sleep blockers are unknown`,
    );
  return out;
}

const sleepOrIdle = (i: Inhibitor) => i.what.some((w) => w === 'sleep' || w === 'idle');

/** Sluimer's rule: a blocker is `mode == block` with `sleep` or `idle` in WHAT. */
export function isSleepBlocker(i: Inhibitor): boolean {
  return i.mode === 'block' && sleepOrIdle(i);
}

/** A blocker, or a sleep/idle inhibitor whose mode could not be read (reported as `possible`). */
export function mayBlockSleep(i: Inhibitor): boolean {
  return (i.mode === 'block' || i.mode === 'unknown') && sleepOrIdle(i);
}

export type InhibitBlocker = Blocker & { mode: string };

export function inhibitorToBlocker(i: Inhibitor): InhibitBlocker {
  const b: InhibitBlocker = {
    name: i.who.slice(0, 200),
    kind: 'process',
    blocks: i.what.slice(0, 10),
    mode: i.mode,
  };
  if (i.why) b.reason = i.why.slice(0, 500);
  if (i.mode === 'unknown') b.possible = true;
  return b;
}

export function parseInhibitList(text: string): { blockers: InhibitBlocker[]; inhibitors: InhibitBlocker[] } {
  const all = parseInhibitors(text);
  return {
    blockers: all.filter(mayBlockSleep).map(inhibitorToBlocker),
    inhibitors: all.map(inhibitorToBlocker),
  };
}

// ---- GNOME / D-Bus / X11 small outputs ----

/** `gsettings get`: `uint32 300` → 300, `300` → 300, `true`, `'suspend'` → suspend. */
export function parseGsettingsValue(text: string): number | boolean | string | null {
  const t = normalizeText(text).trim();
  if (t === '') return null;
  const num = /^(?:u?int(?:16|32|64)|byte|double)?\s*(-?\d+(?:\.\d+)?)$/.exec(t);
  if (num) return Number(num[1]);
  if (t === 'true' || t === 'false') return t === 'true';
  const str = /^'(.*)'$/s.exec(t);
  if (str) return str[1]!.replace(/\\'/g, "'");
  return t;
}

/** gdbus `(uint64 12345,)` or dbus-send `uint64 12345` or busctl `t 12345` → 12345. */
export function parseDbusUint(text: string): number | null {
  const m = /(?:uint64|uint32|int64|int32|\bt|\bu|\bx|\bi)\s+(\d+)/.exec(normalizeText(text));
  if (m) return Number(m[1]);
  const bare = /^\s*\(?\s*<?(\d+)>?\s*,?\s*\)?\s*$/.exec(text);
  return bare ? Number(bare[1]) : null;
}

/** `xprintidle`: milliseconds on one line. */
export function parseXprintidle(text: string): number | null {
  const m = /^\s*(\d+)\s*$/.exec(normalizeText(text));
  return m ? Number(m[1]) : null;
}

/** `Key=value` lines (loginctl show-session, os-release, uevent). */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of normalizeText(text).split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    out.set(
      line.slice(0, i).trim(),
      line
        .slice(i + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return out;
}

export interface LoginSession {
  /** `false` when the output has no `Id=` line: then it was the Manager, not a session */
  isSession: boolean;
  idleHint?: boolean;
  /** µs since the epoch as a string (may exceed Number.MAX_SAFE_INTEGER); "0" = never set */
  idleSinceHint?: string;
  lockedHint?: boolean;
  active?: boolean;
  type?: string;
}

export function parseLoginctlShow(text: string): LoginSession {
  const kv = parseKeyValues(text);
  const yn = (k: string) => (kv.has(k) ? kv.get(k) === 'yes' : undefined);
  const s: LoginSession = { isSession: kv.has('Id') };
  const idle = yn('IdleHint');
  if (idle !== undefined) s.idleHint = idle;
  if (kv.has('IdleSinceHint')) s.idleSinceHint = kv.get('IdleSinceHint')!;
  const locked = yn('LockedHint');
  if (locked !== undefined) s.lockedHint = locked;
  const active = yn('Active');
  if (active !== undefined) s.active = active;
  if (kv.has('Type')) s.type = kv.get('Type')!;
  return s;
}

/** `/sys/class/power_supply/<name>/uevent`: POWER_SUPPLY_ prefix removed, values trimmed. */
export function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of parseKeyValues(text)) out.set(k.replace(/^POWER_SUPPLY_/, ''), v.trim());
  return out;
}

export interface XsetInfo {
  screenSaverTimeoutSec?: number;
  dpms?: { standbySec: number; suspendSec: number; offSec: number };
  dpmsEnabled?: boolean;
  monitor?: 'on' | 'off' | 'standby' | 'suspend';
}

export function parseXsetQ(text: string): XsetInfo {
  const t = normalizeText(text);
  const out: XsetInfo = {};
  const to = /^\s*timeout:\s*(\d+)/m.exec(t);
  if (to) out.screenSaverTimeoutSec = Number(to[1]);
  const d = /Standby:\s*(\d+)\s+Suspend:\s*(\d+)\s+Off:\s*(\d+)/.exec(t);
  if (d) out.dpms = { standbySec: Number(d[1]), suspendSec: Number(d[2]), offSec: Number(d[3]) };
  const en = /DPMS is (Enabled|Disabled)/i.exec(t);
  if (en) out.dpmsEnabled = en[1]!.toLowerCase() === 'enabled';
  const mon = /Monitor is (?:in )?(On|Off|Standby|Suspend)/i.exec(t);
  if (mon) out.monitor = mon[1]!.toLowerCase() as XsetInfo['monitor'];
  return out;
}
