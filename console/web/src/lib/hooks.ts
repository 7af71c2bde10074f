import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './api.js';
import { catalogs, type MessageKey } from './messages.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  setData: (fn: (d: T | undefined) => T | undefined) => void;
}

/** GETs `path` (null = skip), aborting stale requests when the path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setDataState] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const current = useRef<AbortController | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    current.current?.abort();
    const ac = new AbortController();
    current.current = ac;
    setLoading(true);
    get<T>(path, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setDataState(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (ac.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((fn: (d: T | undefined) => T | undefined) => setDataState((d) => fn(d)), []);
  return { data, error, loading, reload, setData };
}

/** The message key for a server error code (`err.<code>`), or undefined for codes the UI does not know. */
export function errorCodeKey(code: string): MessageKey | undefined {
  const key = `err.${code}`;
  return key in catalogs.nl ? (key as MessageKey) : undefined;
}

/**
 * The message a person can act on for an API error, in the UI's language. The server's own message
 * is English and meant for logs and scripts; the UI shows the Dutch (or English) text for the error
 * code, or a more precise one the calling page knows for that code (`specific`), plus the code for IT.
 */
export function errorMessage(
  e: unknown,
  t: (k: MessageKey, v?: Record<string, string | number>) => string,
  specific?: Partial<Record<string, MessageKey>>,
): string {
  if (e instanceof ApiError) {
    if (e.code === 'network' || e.status === 0) return t('error.network');
    if (e.code === 'csrf_failed') return t('error.csrf');
    if (e.code === 'host_not_allowed') return t('error.hostNotAllowed');
    const reason = (e.details as { reason?: unknown } | undefined)?.reason;
    const own =
      (typeof reason === 'string' ? specific?.[`${e.code}:${reason}`] : undefined) ?? specific?.[e.code];
    if (own) return t(own);
    const key = errorCodeKey(e.code);
    if (key) return `${t(key)} (${t('error.code', { code: e.code })})`;
    if (e.status === 403) return t('error.forbidden');
    if (e.status === 404) return t('error.notFound');
    return t('error.generic', { message: e.message });
  }
  return t('error.generic', { message: String(e) });
}

/** Re-renders every `ms` so relative times ("3 min geleden") stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
