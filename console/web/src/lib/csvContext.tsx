import { localTime } from '@sluimer/shared';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { csvFileName } from './csv.js';
import { DEFAULT_TZ } from './format.js';
import type { Period } from './period.js';

/** What every CSV download on a page shares: the period and scope for the file name, the school's zone. */
export interface CsvScope {
  period?: string;
  scope?: string;
  timeZone: string;
}

const Ctx = createContext<CsvScope>({ timeZone: DEFAULT_TZ });

/** `2026-03-02--2026-03-08`: the period's first and last local day (the end is exclusive). */
export function periodSlug(period: Pick<Period, 'from' | 'to'>, timeZone = DEFAULT_TZ): string {
  const first = localTime(period.from, timeZone).date;
  const last = localTime(Math.max(period.from, period.to - 1), timeZone).date;
  return first === last ? first : `${first}--${last}`;
}

export function CsvScopeProvider(props: {
  period?: Pick<Period, 'from' | 'to'>;
  scope?: string;
  timeZone?: string;
  children: ReactNode;
}) {
  const tz = props.timeZone ?? DEFAULT_TZ;
  const from = props.period?.from;
  const to = props.period?.to;
  const value = useMemo<CsvScope>(
    () => ({
      timeZone: tz,
      scope: props.scope,
      period: from !== undefined && to !== undefined ? periodSlug({ from, to }, tz) : undefined,
    }),
    [tz, props.scope, from, to],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

export function useCsvScope(): CsvScope {
  return useContext(Ctx);
}

/** The file name for `what` with this page's period and scope. */
export function useCsvFileName(): (what: string) => string {
  const s = useCsvScope();
  return (what) => csvFileName(what, { period: s.period, scope: s.scope });
}
