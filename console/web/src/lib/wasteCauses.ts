import type { DeviceWasteCauses, WasteCause, WasteCausesAnswer } from '@sluimer/shared';

/** one device's cause split (GET /api/v1/waste-causes) */
export type DeviceCauses = DeviceWasteCauses;

import { useEffect, useState } from 'react';
import { get, qs } from './api.js';
import type { Lang } from './format.js';
import { formatPercent } from './format.js';
import type { MessageKey } from './messages.js';

/** the replay reads raw intervals: at most this far back (the route's bound) */
const MAX_SPAN_MS = 92 * 24 * 3_600_000;

/**
 * The cause split of the listed devices over a period (docs/impact.md, "Why the rest is still wasted").
 * A period reaching into the future is cut at now; a longer one is cut to its last 92 days.
 */
export function useWasteCauses(ids: string[], from: number, to: number) {
  const [answer, setAnswer] = useState<{
    byDevice: Map<string, DeviceCauses>;
    steps: WasteCausesAnswer['causes'];
  }>();
  const key = ids.join(',');
  useEffect(() => {
    setAnswer(undefined);
    if (!key) return;
    const end = Math.min(to, Date.now() - 60_000);
    const start = Math.max(from, end - MAX_SPAN_MS);
    if (end <= start) return;
    const ac = new AbortController();
    get<WasteCausesAnswer>(`/api/v1/waste-causes${qs({ ids: key, from: start, to: end })}`, ac.signal).then(
      (a) =>
        setAnswer({
          byDevice: new Map(a.perDevice.map((d) => [String(d.deviceId), d])),
          // what to do, biggest cause first; the part within the recommendation needs nothing
          steps: a.causes.filter((c) => c.cause !== 'within_recommended' && c.cause !== 'no_data'),
        }),
      () => {},
    );
    return () => ac.abort();
  }, [key, from, to]);
  return answer;
}

/** "Geen beleid 70 % · vlc.exe 30 %": the device's causes, largest first, leaving out the part within the recommendation. */
export function causesText(
  d: DeviceCauses | undefined,
  t: (k: MessageKey, v?: Record<string, string | number>) => string,
  lang: Lang,
): string {
  if (!d) return '';
  if (d.totalKwh <= 0) return d.parts.some((p) => p.cause === 'no_data') ? t('cause.no_data') : '';
  return [...d.parts]
    .filter((p) => p.kwh > 0)
    .sort((a, b) => b.kwh - a.kwh)
    .map((p) => `${causeLabel(p, t)} ${formatPercent(p.kwh / d.totalKwh, lang)}`)
    .join(' · ');
}

export function causeLabel(
  p: { cause: WasteCause; detail?: string },
  t: (k: MessageKey, v?: Record<string, string | number>) => string,
): string {
  switch (p.cause) {
    case 'blocker':
      return t('cause.blocker', { name: p.detail ?? '' });
    case 'excluded':
      return t('cause.excluded', { reason: p.detail ?? '' });
    case 'no_policy':
      return p.detail === 'audit_only' ? t('cause.audit_only') : t('cause.no_policy');
    default:
      return t(`cause.${p.cause}` as MessageKey);
  }
}
