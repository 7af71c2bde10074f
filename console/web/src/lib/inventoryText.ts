import type { Lang } from './format.js';

/**
 * What a device reported about itself, in words for the page: `windows 10.0.19045` becomes
 * "Windows 10 (build 19045)", `All in One` "alles-in-één", `process` "programma".
 */
const OS_NAMES: Record<string, string> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
  chromeos: 'ChromeOS',
};

export function osText(
  os: string | null | undefined,
  version: string | null | undefined,
  lang: Lang,
): string {
  if (!os && !version) return '—';
  const name = os
    ? (OS_NAMES[os] ?? (lang === 'nl' ? 'Ander besturingssysteem' : 'Other operating system'))
    : '';
  if (os === 'windows' && version) {
    // Windows reports 10.0.<build>; builds from 22000 on are Windows 11
    const m = version.match(/^10\.0\.(\d+)/);
    if (m) return `Windows ${Number(m[1]) >= 22000 ? '11' : '10'} (build ${m[1]})`;
  }
  return [name, version].filter(Boolean).join(' ');
}

const CHASSIS: Record<string, [string, string]> = {
  notebook: ['Laptop', 'Laptop'],
  laptop: ['Laptop', 'Laptop'],
  portable: ['Laptop', 'Laptop'],
  'sub notebook': ['Kleine laptop', 'Small laptop'],
  convertible: ['Laptop met draaibaar scherm', 'Convertible laptop'],
  detachable: ['Laptop met losneembaar scherm', 'Detachable laptop'],
  desktop: ['Desktop', 'Desktop'],
  'low profile desktop': ['Compacte desktop', 'Low-profile desktop'],
  'mini tower': ['Minitower', 'Mini tower'],
  tower: ['Tower', 'Tower'],
  'mini pc': ['Mini-pc', 'Mini PC'],
  'space-saving': ['Compacte desktop', 'Space-saving desktop'],
  'all in one': ['Alles-in-één', 'All-in-one'],
  'all-in-one': ['Alles-in-één', 'All-in-one'],
  tablet: ['Tablet', 'Tablet'],
  other: ['Overig', 'Other'],
  unknown: ['Onbekend', 'Unknown'],
};

export function chassisText(chassis: string | null | undefined, lang: Lang): string {
  if (!chassis) return '—';
  const hit = CHASSIS[chassis.trim().toLowerCase().replace(/\s+/g, ' ')];
  return hit ? hit[lang === 'nl' ? 0 : 1] : chassis;
}

const BLOCKER_KINDS: Record<string, [string, string]> = {
  process: ['programma', 'program'],
  driver: ['stuurprogramma', 'driver'],
  service: ['systeemdienst', 'system service'],
};

export function blockerKindText(kind: string, lang: Lang): string {
  return BLOCKER_KINDS[kind]?.[lang === 'nl' ? 0 : 1] ?? kind;
}
