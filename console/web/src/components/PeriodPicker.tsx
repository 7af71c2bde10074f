import { localTime } from '@sluimer/shared';
import { useState } from 'react';
import { useI18n } from '../lib/i18n.js';
import { customPeriod, type Period, type PeriodKind, periodFor } from '../lib/period.js';

const KINDS: PeriodKind[] = ['thisWeek', 'lastMonth', 'schoolYear', 'custom'];

/** This week, last month, this school year, or two dates of your own. */
export function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(() => localTime(value.from).date);
  const [to, setTo] = useState(() => localTime(Math.max(value.from, value.to - 1)).date);
  const [custom, setCustom] = useState(value.kind === 'custom');
  const [error, setError] = useState<string>();
  return (
    <fieldset className="period">
      <legend className="sr-only">{t('period.label')}</legend>
      <div className="seg">
        {KINDS.map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={k === 'custom' ? custom : !custom && value.kind === k}
            onClick={() => {
              if (k === 'custom') setCustom(true);
              else {
                setCustom(false);
                onChange(periodFor(k, Date.now()));
              }
            }}
          >
            {t(`period.${k}`)}
          </button>
        ))}
      </div>
      {custom && (
        <form
          className="period-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (!from || !to || from > to) {
              setError(t('period.invalid'));
              return;
            }
            setError(undefined);
            onChange(customPeriod(from, to, Date.now()));
          }}
        >
          <label>
            {t('period.from')}{' '}
            <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label>
            {t('period.to')}{' '}
            <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <button type="submit" className="btn-small">
            {t('period.apply')}
          </button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </fieldset>
  );
}
