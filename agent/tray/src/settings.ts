import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LANG, isLang, type Lang } from '@sluimer/shared';

/** The pupil's own choice (language) in the per-user data folder; nothing else is kept. */
export interface TraySettings {
  lang?: Lang;
}

export function loadSettings(dir: string): TraySettings {
  try {
    const raw = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) as { lang?: unknown };
    return isLang(raw.lang) ? { lang: raw.lang } : {};
  } catch {
    return {};
  }
}

export function saveSettings(dir: string, settings: TraySettings): void {
  try {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  } catch {
    // a read-only profile (kiosk): the choice lasts until the tray restarts
  }
}

/** Pupil's choice, else the school's default from the service, else Dutch. */
export function effectiveLang(settings: TraySettings, schoolDefault?: Lang | null): Lang {
  return settings.lang ?? schoolDefault ?? DEFAULT_LANG;
}
