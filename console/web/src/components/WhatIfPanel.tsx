import type { PolicySettings, WhatIfResponse } from '@sluimer/shared';
import { useEffect, useRef, useState } from 'react';
import { api } from '../lib/api.js';
import { formatEur, formatKg, formatKwh, formatNumber } from '../lib/format.js';
import { errorMessage } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';

/**
 * how long the editor must be still before the what-if runs again: longer than the pause between
 * keystrokes while typing a number (so "45" asks once), short because it counts against the panel's
 * one second (issue 10); an answer to an older edit is dropped anyway (`seq`)
 */
export const WHAT_IF_DEBOUNCE_MS = 300;

/**
 * "Wat levert dit op?" (docs/impact.md, "In the policy editor"): the draft replayed over the last four
 * school weeks of its scope as IT edits, before anyone saves. Euros per year first, then kWh and
 * CO2e, the lessons it would disturb, and what it cannot reach.
 */
export function WhatIfPanel(props: {
  /** the draft's settings; undefined while the form has errors */
  settings: PolicySettings | undefined;
  /** where the policy is assigned; empty = every device */
  scope: { groupIds: number[]; deviceIds: number[] };
}) {
  const { t, lang } = useI18n();
  const [answer, setAnswer] = useState<WhatIfResponse>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [wholeBoard, setWholeBoard] = useState(false);
  const seq = useRef(0);
  const body = JSON.stringify({
    policy: { settings: props.settings ?? {} },
    ...(wholeBoard ? {} : props.scope.groupIds.length ? { groupIds: props.scope.groupIds } : {}),
    ...(wholeBoard ? {} : props.scope.deviceIds.length ? { deviceIds: props.scope.deviceIds } : {}),
  });
  const valid = props.settings !== undefined;

  useEffect(() => {
    if (!valid) return;
    const mine = ++seq.current;
    setBusy(true);
    const timer = setTimeout(() => {
      api<WhatIfResponse>('POST', '/api/v1/what-if', JSON.parse(body) as unknown).then(
        (a) => {
          if (mine !== seq.current) return; // a newer edit is on its way
          setAnswer(a);
          setError(undefined);
          setBusy(false);
        },
        (err: unknown) => {
          if (mine !== seq.current) return;
          setError(errorMessage(err, t));
          setBusy(false);
        },
      );
    }, WHAT_IF_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [body, valid, t]);

  const y = answer?.perYear;
  const blockers = answer?.unreachable.blockers ?? [];
  return (
    <section className="card what-if" aria-labelledby="whatif-h" aria-busy={busy} data-testid="what-if">
      <header className="card-head">
        <h2 id="whatif-h">{t('whatif.title')}</h2>
      </header>
      <p className="muted small">{t('whatif.explain')}</p>
      {props.scope.groupIds.length + props.scope.deviceIds.length > 0 && (
        <label className="check small">
          <input type="checkbox" checked={wholeBoard} onChange={(e) => setWholeBoard(e.target.checked)} />
          {t('whatif.wholeBoard')}
        </label>
      )}
      {!valid && <p className="muted">{t('whatif.fixErrors')}</p>}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {answer && y && (
        <div aria-live="polite">
          <p className="what-if-main" data-testid="what-if-eur">
            <strong>{formatEur(y.avoidedEur, lang)}</strong> {t('whatif.perYear')}
          </p>
          <p data-testid="what-if-energy">
            {t('whatif.energy', { kwh: formatKwh(y.avoidedKwh, lang), co2: formatKg(y.avoidedCo2eKg, lang) })}
          </p>
          <p data-testid="what-if-interruptions">
            {answer.interruptionsPerSchoolWeek === null
              ? t('whatif.interruptions.none')
              : t('whatif.interruptions', {
                  n: formatNumber(answer.interruptionsPerSchoolWeek, lang, 1),
                  rooms: answer.worstRooms.map((r) => r.name).join(', ') || '—',
                })}
          </p>
          <p className="muted small">
            {t('whatif.basis', {
              devices: answer.devices,
              waste: formatKwh(answer.wasteKwh, lang),
              avoided: formatKwh(answer.avoidedKwh, lang),
            })}
          </p>
          {(answer.unreachableKwh > 0 || answer.devicesWithBlockersNow > 0) && (
            <>
              <h3>{t('whatif.unreachable')}</h3>
              <ul>
                {answer.unreachable.excludedDevices > 0 && (
                  <li>
                    {t('whatif.unreachable.excluded', {
                      n: answer.unreachable.excludedDevices,
                      kwh: formatKwh(answer.unreachable.excludedKwh, lang),
                    })}
                  </li>
                )}
                {blockers.slice(0, 3).map((b) => (
                  <li key={b.name}>
                    {t('whatif.unreachable.blocker', {
                      // no name for a viewer: program names are for admin and IT only
                      name: b.name || t('whatif.unreachable.someProgram'),
                      n: b.devices,
                      kwh: formatKwh(b.kwh, lang),
                    })}
                  </li>
                ))}
                {answer.devicesWithBlockersNow > 0 && (
                  <li>{t('whatif.blockersNow', { n: answer.devicesWithBlockersNow })}</li>
                )}
              </ul>
            </>
          )}
          {answer.limitations.length > 0 && (
            <details>
              <summary>{t('whatif.limitations')}</summary>
              <ul>
                {answer.limitations.map((l) => (
                  <li key={l.code}>{l.message.split(' / ')[lang === 'nl' ? 0 : 1] ?? l.message}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
