import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { Lang } from './format.js';
import { catalogs, type MessageKey } from './messages.js';

const STORAGE_KEY = 'sluimer.lang';

/** The saved choice, else the browser's language (Dutch unless it prefers English), else Dutch. */
export function initialLang(
  saved: string | null | undefined,
  browserLangs: readonly string[] | undefined,
): Lang {
  if (saved === 'nl' || saved === 'en') return saved;
  for (const l of browserLangs ?? []) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'nl') return 'nl';
    if (base === 'en') return 'en';
  }
  return 'nl';
}

export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const s: string = catalogs[lang][key] ?? catalogs.nl[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`)) : s;
}

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Vars) => string;
}

const Ctx = createContext<I18n | null>(null);

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function I18nProvider({ children, lang: forced }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(
    () => forced ?? initialLang(readSaved(), typeof navigator === 'undefined' ? [] : navigator.languages),
  );
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* private mode: the choice lasts this visit */
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }),
    [lang, setLang],
  );
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
