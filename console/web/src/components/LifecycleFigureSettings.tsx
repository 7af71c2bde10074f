import {
  DEVICE_CLASSES,
  type DeviceClass,
  LIFECYCLE_OPTION_FIGURES,
  type LifecycleFiguresSetting,
  OPTION_FIGURE_BOUNDS,
  OPTION_FIGURE_KEYS,
  type OptionFigureKey,
  type Settings,
  SettingsUpdateRequestSchema,
} from '@sluimer/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { formatNumber } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { parseDecimal } from '../lib/policyForm.js';
import { FormMessage, type FormMessageValue } from './FormMessage.js';
import { ErrorBox } from './Tile.js';

const keyOf = (c: DeviceClass, k: OptionFigureKey) => `${c}.${k}`;

/**
 * The € and kg CO2e of batteries, memory, SSDs, refurbishment and new devices the lifecycle advice
 * and the annual report use (docs/lifecycle.md "Options and their figures"). An empty field keeps
 * the default shown in it; a part a class does not take has no field. Saved on its own, so the
 * energy settings above are not sent along.
 */
export function LifecycleFigureSettings() {
  const { t, lang } = useI18n();
  const s = useApi<Settings>('/api/v1/settings');
  const current = s.data;
  const [values, setValues] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<FormMessageValue>();
  useEffect(() => {
    if (!current) return;
    const v: Record<string, string> = {};
    for (const c of DEVICE_CLASSES)
      for (const k of OPTION_FIGURE_KEYS) {
        const n = current.lifecycleFigures?.[c]?.[k];
        if (n !== undefined) v[keyOf(c, k)] = formatNumber(n, lang, 2);
      }
    setValues(v);
  }, [current, lang]);

  const label = (c: DeviceClass, k: OptionFigureKey) =>
    `${t(`class.${c}` as MessageKey)}: ${t(`settings.lifecycle.${k}` as MessageKey)}`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const lifecycleFigures: LifecycleFiguresSetting = {};
    const unreadable: string[] = [];
    for (const c of DEVICE_CLASSES)
      for (const k of OPTION_FIGURE_KEYS) {
        const n = parseDecimal(values[keyOf(c, k)] ?? '');
        if (n === undefined) continue;
        if (Number.isNaN(n)) unreadable.push(label(c, k));
        lifecycleFigures[c] = { ...lifecycleFigures[c], [k]: n };
      }
    const parsed = SettingsUpdateRequestSchema.safeParse({ lifecycleFigures });
    if (unreadable.length || !parsed.success) {
      const wrong = parsed.success
        ? unreadable
        : parsed.error.issues.map((i) => label(i.path[1] as DeviceClass, i.path[2] as OptionFigureKey));
      setMsg({
        ok: false,
        text: t('settings.lifecycle.invalid', {
          fields: [...new Set(wrong)].join(', '),
          eur: formatNumber(OPTION_FIGURE_BOUNDS.eur.max, lang, 0),
          kg: formatNumber(OPTION_FIGURE_BOUNDS.kg.max, lang, 0),
        }),
      });
      return;
    }
    try {
      await api('PUT', '/api/v1/settings', parsed.data);
      setMsg({ ok: true, text: t('common.saved') });
      s.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };

  return (
    <section className="card" aria-labelledby="lf-h" data-testid="settings-lifecycle">
      <h2 id="lf-h">{t('settings.lifecycle.title')}</h2>
      {s.error && <ErrorBox message={errorMessage(s.error, t)} />}
      <form onSubmit={save} className="stack">
        <p className="help">{t('settings.lifecycle.explain')}</p>
        <div className="table-scroll">
          <table className="watts">
            <thead>
              <tr>
                <th scope="col">{t('col.class')}</th>
                {OPTION_FIGURE_KEYS.map((k) => (
                  <th key={k} scope="col" className="num">
                    {t(`settings.lifecycle.${k}` as MessageKey)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {DEVICE_CLASSES.map((c) => (
                <tr key={c}>
                  <th scope="row">{t(`class.${c}` as MessageKey)}</th>
                  {OPTION_FIGURE_KEYS.map((k) => {
                    const def = LIFECYCLE_OPTION_FIGURES[c][k];
                    return (
                      <td key={k} className="num" data-label={t(`settings.lifecycle.${k}` as MessageKey)}>
                        {def === null ? (
                          '—'
                        ) : (
                          <input
                            className="watt-input"
                            inputMode="decimal"
                            aria-label={label(c, k)}
                            placeholder={formatNumber(def, lang, 0)}
                            value={values[keyOf(c, k)] ?? ''}
                            onChange={(e) => setValues((v) => ({ ...v, [keyOf(c, k)]: e.target.value }))}
                          />
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <FormMessage msg={msg} />
        <button type="submit" className="btn-primary">
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}
