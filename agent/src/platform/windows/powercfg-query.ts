import { normalizeText } from '../runner.js';
import { GUID, GUID_PATTERN } from './guids.js';

/**
 * `powercfg /q` parser (docs/platforms-support.md, "Windows: GUIDs, not labels"). Labels are localised, so
 * only GUIDs and `0x` values are read: the output is cut into one block per line that carries a GUID (scheme,
 * subgroup or setting); within a block the last two `0x` values are the AC and DC index. Scheme and subgroup
 * blocks carry no `0x` values and so yield nothing. Values are raw: seconds for timeouts, percent for
 * brightness.
 */
export interface PowercfgSetting {
  guid: string;
  ac: number;
  dc: number;
}

export interface PowercfgQuery {
  /** first GUID in the output: the scheme that was queried */
  schemeGuid: string | null;
  settings: Map<string, PowercfgSetting>;
}

export function parsePowercfgQuery(text: string): PowercfgQuery {
  const lines = normalizeText(text).split('\n');
  const settings = new Map<string, PowercfgSetting>();
  let schemeGuid: string | null = null;
  let current: { guid: string; hex: number[] } | null = null;
  const close = () => {
    if (current && current.hex.length >= 2 && !settings.has(current.guid)) {
      const hex = current.hex;
      settings.set(current.guid, { guid: current.guid, ac: hex[hex.length - 2]!, dc: hex[hex.length - 1]! });
    }
  };
  for (const line of lines) {
    const g = GUID_PATTERN.exec(line);
    if (g) {
      close();
      const guid = g[0].toLowerCase();
      schemeGuid ??= guid;
      current = { guid, hex: [] };
      continue;
    }
    if (!current) continue;
    for (const m of line.matchAll(/\b0x([0-9a-f]{1,8})\b/gi)) current.hex.push(Number.parseInt(m[1]!, 16));
  }
  close();
  return { schemeGuid, settings };
}

export interface PowercfgQuerySummary {
  sleepAfterSec: { ac: number; battery: number } | null;
  displayOffAfterSec: { ac: number; battery: number } | null;
  brightnessPct: { ac: number; battery: number } | null;
}

/** The values Sluimer cares about, raw (0 = never). `null` when the setting is absent from the dump. */
export function summarizePowercfgQuery(text: string): PowercfgQuerySummary {
  const { settings } = parsePowercfgQuery(text);
  const pick = (guid: string) => {
    const s = settings.get(guid);
    return s ? { ac: s.ac, battery: s.dc } : null;
  };
  return {
    sleepAfterSec: pick(GUID.STANDBYIDLE),
    displayOffAfterSec: pick(GUID.VIDEOIDLE),
    brightnessPct: pick(GUID.VIDEONORMALLEVEL),
  };
}

/** `powercfg /getactivescheme`: the first GUID; the localised name is ignored. */
export function parseActiveScheme(text: string): string | null {
  const m = GUID_PATTERN.exec(normalizeText(text));
  return m ? m[0].toLowerCase() : null;
}

/** `powercfg /L`: every scheme GUID and which one is marked active with `*`. */
export function parseSchemeList(text: string): { guid: string; active: boolean }[] {
  const out: { guid: string; active: boolean }[] = [];
  for (const line of normalizeText(text).split('\n')) {
    const m = GUID_PATTERN.exec(line);
    if (m) out.push({ guid: m[0].toLowerCase(), active: /\*\s*$/.test(line) });
  }
  return out;
}
