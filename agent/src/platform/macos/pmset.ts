import { type Blocker, ErrorCode, SluimerError } from '@sluimer/shared';
import { normalizeText } from '../runner.js';
import type { ScheduledAction } from '../types.js';

/** `pmset -g custom` / `pmset -g` (docs/platforms-support.md): sections of `key value (note)` lines. */
export interface PmsetEntry {
  value: string;
  note?: string;
}
export type PmsetSections = Map<string, Map<string, PmsetEntry>>;

const HEADER = /^\s*([A-Za-z][A-Za-z -]*?)\s*:\s*$/;
const LINE = /^\s*(.+?)\s+(\S+)(?:\s+\((.*)\))?\s*$/;

export function parsePmsetSections(text: string): PmsetSections {
  const sections: PmsetSections = new Map();
  let current: Map<string, PmsetEntry> | null = null;
  for (const raw of normalizeText(text).split('\n')) {
    if (raw.trim() === '') continue;
    // headers end with ':' and carry no value; indentation is not trusted (copies lose or add it)
    const h = HEADER.exec(raw);
    if (h) {
      current = new Map();
      sections.set(h[1]!.trim(), current);
      continue;
    }
    const m = LINE.exec(raw);
    if (!m) continue;
    if (!current) {
      current = new Map();
      sections.set('', current);
    }
    const entry: PmsetEntry = { value: m[2]! };
    if (m[3] !== undefined) entry.note = m[3];
    if (!current.has(m[1]!.trim())) current.set(m[1]!.trim(), entry);
  }
  return sections;
}

/** Which power source a section header names. */
export function sectionSource(header: string): 'ac' | 'battery' | 'ups' | null {
  const h = header.toLowerCase();
  if (h.includes('battery')) return 'battery';
  if (h.includes('ups')) return 'ups';
  if (/\bac\b/.test(h)) return 'ac';
  return null;
}

function minutes(entry: PmsetEntry | undefined): number | null {
  if (!entry || !/^\d+$/.test(entry.value)) return null;
  return Number.parseInt(entry.value, 10) * 60;
}

export interface PmsetCustomSummary {
  sleepAfterSec: { ac: number | null; battery: number | null };
  displayOffAfterSec: { ac: number | null; battery: number | null };
}

/** Timeouts in **seconds** (pmset prints minutes); 0 = never; `null` = section or key absent. */
export function summarizePmsetCustom(text: string): PmsetCustomSummary {
  const out: PmsetCustomSummary = {
    sleepAfterSec: { ac: null, battery: null },
    displayOffAfterSec: { ac: null, battery: null },
  };
  for (const [header, keys] of parsePmsetSections(text)) {
    const src = sectionSource(header);
    if (src !== 'ac' && src !== 'battery') continue;
    out.sleepAfterSec[src] = minutes(keys.get('sleep'));
    out.displayOffAfterSec[src] = minutes(keys.get('displaysleep'));
  }
  return out;
}

// ---- pmset -g assertions (docs/platforms-support.md, "macOS: pmset -g assertions") ----

export interface AssertionHolder {
  pid: number;
  name: string;
  type: string;
  reason: string;
  createdForPid?: number;
}

const HOLDER = /^\s*pid\s+(\d+)\((.*)\):\s*\[[^\]]*\]\s*(.*)$/i;

export function parseAssertionHolders(text: string): AssertionHolder[] {
  const holders: AssertionHolder[] = [];
  let last: AssertionHolder | null = null;
  for (const raw of normalizeText(text).split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const m = HOLDER.exec(line);
    if (m) {
      // rest: optional duration (hours may exceed 24), the type, `named: "reason"`
      const rest = m[3]!;
      const named = /^(?:(\d+:\d{2}:\d{2})\s+)?(\S+)\s+named:\s*"(.*)"\s*$/.exec(rest);
      const typeOnly = /^(?:(\d+:\d{2}:\d{2})\s+)?(\S+)/.exec(rest);
      last = {
        pid: Number.parseInt(m[1]!, 10),
        name: m[2]!.trim(),
        type: named ? named[2]! : (typeOnly?.[2] ?? ''),
        reason: named ? named[3]! : '',
      };
      holders.push(last);
      continue;
    }
    if (!last) continue;
    if (/^\S/.test(line)) {
      last = null; // an unindented line ends the holder's follow-up lines
      continue;
    }
    const created = /Created for PID:\s*(\d+)/i.exec(line);
    if (created) last.createdForPid = Number.parseInt(created[1]!, 10);
  }
  return holders;
}

export const SYSTEM_SLEEP_TYPES = [
  'PreventUserIdleSystemSleep',
  'NoIdleSleepAssertion',
  'PreventSystemSleep',
];
export const DISPLAY_SLEEP_TYPES = ['PreventUserIdleDisplaySleep', 'NoDisplaySleepAssertion'];

/**
 * Processes that keep the Mac from idle system sleep (`system`) or idle display sleep (`display`).
 * powerd's own assertions are left out; coreaudiod's audio assertions are attributed to the PID they
 * were created for when its name is known (from the same output or `names`).
 */
export function parsePmsetAssertions(text: string, names?: Map<number, string>): { blockers: Blocker[] } {
  // without the per-process list (cut output, an error text) the holders are unknown, not none
  if (!/^Listed by owning process:/im.test(normalizeText(text)))
    throw new SluimerError(
      ErrorCode.ParseFailed,
      `pmset -g assertions: no "Listed by owning process" section ("${text.trim().slice(0, 80)}"); the blockers are unknown`,
    );
  const holders = parseAssertionHolders(text);
  const known = new Map<number, string>(names ?? []);
  for (const h of holders) if (!known.has(h.pid)) known.set(h.pid, h.name);
  const byKey = new Map<string, Blocker>();
  for (const h of holders) {
    const blocks = SYSTEM_SLEEP_TYPES.includes(h.type)
      ? 'system'
      : DISPLAY_SLEEP_TYPES.includes(h.type)
        ? 'display'
        : null;
    if (!blocks || h.name === 'powerd') continue;
    let name = h.name;
    if (h.createdForPid !== undefined && known.has(h.createdForPid)) name = known.get(h.createdForPid)!;
    if (name === 'powerd') continue;
    const key = `${name}\u0000${h.reason}`;
    let b = byKey.get(key);
    if (!b) {
      b = { name: name.slice(0, 200), kind: 'process', blocks: [] };
      if (h.reason) b.reason = h.reason.slice(0, 500);
      byKey.set(key, b);
    }
    if (!b.blocks!.includes(blocks)) b.blocks!.push(blocks);
  }
  return { blockers: [...byKey.values()] };
}

// ---- pmset -g batt ----

export function parsePmsetBatt(text: string): {
  source: 'ac' | 'battery' | 'ups' | null;
  percent?: number;
  charging?: boolean;
  hasBattery: boolean;
} {
  const t = normalizeText(text);
  const src = /'([^']+)'/.exec(t)?.[1];
  const source = src ? sectionSource(src) : null;
  const bat = /InternalBattery[^\n]*?(\d{1,3})%\s*;\s*([^;\n]*)/i.exec(t);
  const out: {
    source: 'ac' | 'battery' | 'ups' | null;
    percent?: number;
    charging?: boolean;
    hasBattery: boolean;
  } = {
    source,
    hasBattery: Boolean(bat),
  };
  if (bat) {
    out.percent = Number.parseInt(bat[1]!, 10);
    const state = bat[2]!.trim().toLowerCase();
    out.charging = state === 'charging' || state === 'finishing charge';
  }
  return out;
}

// ---- pmset -g sched ----

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_LETTERS = 'MTWRFSU';

function parseDays(spec: string): number[] {
  const s = spec.trim().toLowerCase();
  if (s === '' || s.startsWith('every day') || s === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  if (s.startsWith('weekdays')) return [0, 1, 2, 3, 4];
  if (s.startsWith('weekends')) return [5, 6];
  const days = DAY_NAMES.map((d, i) =>
    s.includes(d) || s.split(/\s+/).includes(d.slice(0, 3)) ? i : -1,
  ).filter((i) => i >= 0);
  if (days.length) return days;
  if (/^[mtwrfsu]+$/i.test(spec.trim()))
    return [...new Set([...spec.trim().toUpperCase()].map((c) => DAY_LETTERS.indexOf(c)))]
      .filter((i) => i >= 0)
      .sort();
  return [];
}

function to24h(time: string): string | null {
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?\s*([AP]M)?$/i.exec(time.trim());
  if (!m) return null;
  let h = Number.parseInt(m[1]!, 10);
  const ap = m[3]?.toUpperCase();
  if (ap === 'PM' && h < 12) h += 12;
  if (ap === 'AM' && h === 12) h = 0;
  if (h > 23) return null;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

export interface RepeatingEvent {
  type: string;
  at: string;
  weekdays: number[];
}

/** `Repeating power events:` of `pmset -g sched`; tolerates the time on its own line. */
export function parsePmsetSched(text: string): RepeatingEvent[] {
  const t = normalizeText(text);
  const start = t.search(/Repeating power events:/i);
  if (start < 0) return [];
  let body = t.slice(start).replace(/^[^\n]*\n?/, '');
  const next = body.search(/^\S[^\n]*:\s*$/m);
  if (next >= 0) body = body.slice(0, next);
  const flat = body.replace(/\s+/g, ' ');
  const out: RepeatingEvent[] = [];
  const re =
    /\b(wakepoweron|wakeorpoweron|poweron|wake|sleep|shutdown|restart)\s+at\s+(\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?)\s*((?:every day|weekdays only|weekends only|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\s*)+|[MTWRFSU]{1,7}\b)?)/gi;
  for (const m of flat.matchAll(re)) {
    const at = to24h(m[2]!);
    if (!at) continue;
    out.push({ type: m[1]!.toLowerCase(), at, weekdays: parseDays(m[3] ?? '') });
  }
  return out;
}

export function scheduleFromSched(text: string): ScheduledAction | null {
  const ev = parsePmsetSched(text).find((e) => e.type === 'sleep' || e.type === 'shutdown');
  return ev ? { action: ev.type as 'sleep' | 'shutdown', at: ev.at, weekdays: ev.weekdays } : null;
}

/** `pmset repeat <sleep|shutdown> MTWRF HH:MM:SS` (root). One repeating "off" event exists at a time. */
export function pmsetRepeatArgs(s: ScheduledAction): string[] {
  const days = [...new Set(s.weekdays)]
    .sort((a, b) => a - b)
    .map((d) => DAY_LETTERS[d])
    .join('');
  return ['repeat', s.action, days, `${s.at}:00`];
}

// ---- ioreg ----

/** `ioreg -c IOHIDSystem`: the first `"HIDIdleTime" = <ns>` in milliseconds (BigInt-safe). */
export function parseHidIdleTimeMs(text: string): number | null {
  const m = /"HIDIdleTime"\s*=\s*(\d+)/.exec(text);
  if (!m) return null;
  return Number(BigInt(m[1]!) / 1_000_000n);
}
