import { type Blocker, ErrorCode, SluimerError } from '@sluimer/shared';
import { normalizeText } from '../runner.js';

/**
 * `powercfg /requests` parser (docs/platforms-support.md, "Windows: powercfg /requests"). Six sections in a
 * fixed order; headers may be translated, so a section is named by its position and the English header text
 * is only used as a cross-check. An entry is `[PROCESS]`, `[DRIVER]` or `[SERVICE]` + its caller, optionally
 * followed by one reason line. One caller listed in several sections becomes one blocker with several
 * `blocks`.
 */
export const REQUEST_SECTIONS = [
  'display',
  'system',
  'awaymode',
  'execution',
  'perfboost',
  'activelockscreen',
] as const;

export interface PowerRequestEntry {
  section: string;
  kind: Blocker['kind'];
  /** the text after the bracketed tag, as printed (an NT device path for processes) */
  caller: string;
  name: string;
  reason?: string;
}

const ENTRY = /^\[([^\]]+)\]\s*(.*)$/;

function kindOf(tag: string): Blocker['kind'] {
  const t = tag.trim().toUpperCase();
  if (t.includes('DRIVER') || t.includes('STUURPROGRAMMA')) return 'driver';
  if (t.includes('SERVICE')) return 'service';
  return 'process';
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? path;
}

/** Name shown to IT: the executable for processes, the service name for services, the friendly name for drivers. */
export function callerName(kind: Blocker['kind'], caller: string): string {
  const c = caller.trim();
  if (kind === 'driver') {
    // "Realtek High Definition Audio (HDAUDIO\FUNC_01&VEN_10EC…)": drop a trailing hardware id
    const m = /^(.*\S)\s*\(([^()]*[\\&][^()]*)\)$/.exec(c);
    return (m ? m[1]! : c).trim() || c;
  }
  if (kind === 'service') {
    const m = /\(([^()\\/]+)\)\s*$/.exec(c);
    if (m) return m[1]!.trim();
    return basename(c.replace(/\s*\([^()]*\)\s*$/, ''));
  }
  return basename(c);
}

function isHeader(
  line: string,
  prevBlank: boolean,
  prevWasEmptyMarker: boolean,
  afterEntry: boolean,
): boolean {
  if (line.startsWith('[') || !line.endsWith(':')) return false;
  const word = line.slice(0, -1).trim().toLowerCase();
  if ((REQUEST_SECTIONS as readonly string[]).includes(word)) return true;
  if (afterEntry) return false; // the line after an entry is its reason
  // headers are upper case in every capture seen; this also finds them when blank lines are missing
  const upper = /[A-Z]/.test(word.toUpperCase()) && word.toUpperCase() === line.slice(0, -1).trim();
  return prevBlank || prevWasEmptyMarker || upper;
}

/** Common console widths a copied capture is hard-wrapped at. */
const CONSOLE_WIDTHS = [80, 100, 120, 132, 160];

const opens = (l: string) => (l.match(/\(/g)?.length ?? 0) - (l.match(/\)/g)?.length ?? 0);

/**
 * Joins lines a console window hard-wrapped: a capture copied from a console is cut at exactly its
 * width, mid-word, so the next line continues the text without a space. A line continues on the next
 * when (a) it is an entry whose parentheses are still open (a driver's hardware id), or (b) it is
 * exactly as long as the widest line of the capture and that width is a console width. A continuation
 * is never blank, an entry (`[…]`) or a section header.
 */
export function unwrapConsoleLines(raw: string[]): string[] {
  const width = Math.max(0, ...raw.map((l) => l.length));
  const wrapped = CONSOLE_WIDTHS.includes(width);
  const out: string[] = [];
  let joins = 0;
  for (const line of raw) {
    const prev = out[out.length - 1];
    const cont =
      prev !== undefined &&
      line.trim() !== '' &&
      !line.startsWith('[') &&
      !/^[A-Z][A-Z ]*:\s*$/.test(line.trim()) &&
      joins < 4 &&
      ((prev.startsWith('[') && opens(prev) > 0) || (wrapped && prev.length === width));
    if (cont) {
      out[out.length - 1] = prev + line;
      joins += 1;
    } else {
      out.push(line);
      joins = 0;
    }
  }
  return out;
}

export function parsePowercfgRequestEntries(text: string): PowerRequestEntry[] {
  const lines = unwrapConsoleLines(
    normalizeText(text)
      .split('\n')
      .map((l) => l.replace(/\s+$/, '')),
  ).map((l) => l.trim());
  const entries: PowerRequestEntry[] = [];
  let sectionIndex = -1;
  let section: string | null = null;
  let prevBlank = true;
  let prevEmptyMarker = false;
  let last: PowerRequestEntry | null = null;
  let lastWasEntry = false;
  for (const line of lines) {
    if (line === '') {
      prevBlank = true;
      lastWasEntry = false;
      continue;
    }
    if (isHeader(line, prevBlank, prevEmptyMarker, lastWasEntry)) {
      sectionIndex += 1;
      const word = line.slice(0, -1).trim().toLowerCase();
      section = (REQUEST_SECTIONS as readonly string[]).includes(word)
        ? word
        : (REQUEST_SECTIONS[sectionIndex] ?? word.replace(/[^a-z0-9]+/g, '').slice(0, 40));
      prevBlank = false;
      prevEmptyMarker = false;
      lastWasEntry = false;
      continue;
    }
    if (sectionIndex < 0 && !line.startsWith('[')) {
      // text before the first section (a banner or an error); not part of any section
      prevBlank = false;
      continue;
    }
    if (sectionIndex < 0) {
      sectionIndex = 0;
      section = REQUEST_SECTIONS[0];
    }
    const m = ENTRY.exec(line);
    if (m) {
      const kind = kindOf(m[1]!);
      const caller = m[2]!.trim();
      last = { section: section!, kind, caller, name: callerName(kind, caller) };
      entries.push(last);
      lastWasEntry = true;
      prevBlank = false;
      prevEmptyMarker = false;
      continue;
    }
    if (lastWasEntry && last) {
      last.reason = line;
      lastWasEntry = false;
      prevBlank = false;
      continue;
    }
    // "None." or its translation: a single non-entry line in an empty section
    prevEmptyMarker = true;
    prevBlank = false;
    lastWasEntry = false;
  }
  return entries;
}

/**
 * One blocker per caller (kind + caller + reason), with every section it appears in. Output with no
 * section header at all (an error text, a cut capture) cannot say "none": it throws `parse_failed`.
 */
export function parsePowercfgRequests(text: string): { blockers: Blocker[] } {
  const byKey = new Map<string, Blocker>();
  const t = normalizeText(text);
  const headers = t.split('\n').filter((l) => /^\s*[^\s[][^[]*:\s*$/.test(l) && !/^\s*\[/.test(l)).length;
  if (headers === 0)
    throw new SluimerError(
      ErrorCode.ParseFailed,
      `powercfg /requests: no sections in the output ("${t.trim().slice(0, 80)}"); the blockers are unknown`,
    );
  for (const e of parsePowercfgRequestEntries(text)) {
    const key = `${e.kind}\u0000${e.caller.toLowerCase()}\u0000${e.reason ?? ''}`;
    let b = byKey.get(key);
    if (!b) {
      b = { name: e.name.slice(0, 200), kind: e.kind, blocks: [] };
      if (e.reason) b.reason = e.reason.slice(0, 500);
      byKey.set(key, b);
    }
    if (!b.blocks!.includes(e.section) && b.blocks!.length < 10) b.blocks!.push(e.section);
  }
  return { blockers: [...byKey.values()] };
}
