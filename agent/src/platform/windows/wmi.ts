import { ErrorCode, SluimerError } from '@sluimer/shared';
import { normalizeText } from '../runner.js';

/**
 * PowerShell/WMI output parsers. The agent itself asks for `ConvertTo-Json`; the `Name : Value` list
 * format is accepted too because that is what support bundles and the fixtures contain.
 */

/** PowerShell's list format: `Name : Value` records separated by blank lines. */
export function parsePsList(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  let cur: Record<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of normalizeText(text).split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') {
      if (cur) records.push(cur);
      cur = null;
      lastKey = null;
      continue;
    }
    const m = /^(\S[^:]*?)\s*:\s?(.*)$/.exec(line);
    if (m && !/^\s/.test(line)) {
      cur ??= {};
      lastKey = m[1]!.trim();
      cur[lastKey] = m[2]!.trim();
    } else if (cur && lastKey) {
      cur[lastKey] = `${cur[lastKey]} ${line.trim()}`.trim();
    }
  }
  if (cur) records.push(cur);
  return records;
}

/** `ConvertTo-Json` prints one object for one instance and an array for several. */
export function parsePsJson(text: string): Record<string, unknown>[] {
  const t = normalizeText(text).trim();
  if (t === '') return [];
  const v: unknown = JSON.parse(t);
  if (Array.isArray(v))
    return v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  return typeof v === 'object' && v !== null ? [v as Record<string, unknown>] : [];
}

function records(text: string): Record<string, unknown>[] {
  const t = normalizeText(text).trim();
  if (t.startsWith('{') || t.startsWith('[')) return parsePsJson(t);
  return parsePsList(t);
}

function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

export interface WmiBrightness {
  instanceName: string;
  currentPct: number;
  levels?: number;
  active?: boolean;
}

/** `Get-CimInstance -Namespace root/WMI -ClassName WmiMonitorBrightness`, list or JSON. */
export function parseWmiMonitorBrightness(text: string): WmiBrightness[] {
  const out: WmiBrightness[] = [];
  for (const r of records(text)) {
    const current = int(r.CurrentBrightness);
    if (current === undefined) continue;
    const b: WmiBrightness = { instanceName: String(r.InstanceName ?? ''), currentPct: current };
    const levels = int(r.Levels);
    if (levels !== undefined) b.levels = levels;
    if (r.Active !== undefined) b.active = r.Active === true || String(r.Active).toLowerCase() === 'true';
    out.push(b);
  }
  return out;
}

export interface WindowsPowerInfo {
  hasBattery: boolean;
  /** Win32_Battery.BatteryStatus: 2 = on AC; 1, 3–5, 11 = discharging */
  batteryStatus?: number;
  percent?: number;
}

/** The JSON object printed by the adapter's Win32_Battery script (AC_SCRIPT in adapter.ts). */
export function parseWindowsPowerJson(text: string): WindowsPowerInfo {
  const [r] = parsePsJson(text);
  // the script always prints an object (HasBattery false on a desktop): no object = could not tell
  if (!r || typeof r.HasBattery !== 'boolean')
    throw new SluimerError(
      ErrorCode.ParseFailed,
      `Win32_Battery: no answer to read ("${text.trim().slice(0, 80)}"); the power source is unknown`,
    );
  const info: WindowsPowerInfo = { hasBattery: r.HasBattery === true };
  const status = int(r.BatteryStatus);
  if (status !== undefined) info.batteryStatus = status;
  const pct = int(r.EstimatedChargeRemaining);
  if (pct !== undefined && pct >= 0 && pct <= 100) info.percent = pct;
  return info;
}

/** BatteryStatus codes that mean the machine runs on its battery. */
export function onBatteryFromStatus(status: number | undefined): boolean | undefined {
  if (status === undefined) return undefined;
  if ([1, 3, 4, 5, 11].includes(status)) return true;
  if ([2, 6, 7, 8, 9].includes(status)) return false;
  return undefined;
}

/**
 * `reg query HKLM\Software\Policies\Microsoft\Power\PowerSettings\<GUID>`: a Group Policy lock.
 * Value names are registry names (not translated): `ACSettingIndex    REG_DWORD    0x258`.
 */
export function parsePolicyRegQuery(text: string): { ac?: number; dc?: number } {
  const out: { ac?: number; dc?: number } = {};
  for (const line of normalizeText(text).split('\n')) {
    const m = /^\s*(ACSettingIndex|DCSettingIndex)\s+REG_DWORD\s+0x([0-9a-f]+)\s*$/i.exec(line);
    if (!m) continue;
    const v = Number.parseInt(m[2]!, 16);
    if (m[1]!.toLowerCase().startsWith('ac')) out.ac = v;
    else out.dc = v;
  }
  return out;
}
