import { type PolicySettings, WEEKDAYS, type Weekday } from '@sluimer/shared';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { weekdayNames } from '../lib/format.js';
import { useI18n } from '../lib/i18n.js';
import {
  ACTION_HELP,
  BOOLEAN_FIELDS,
  draftFromSettings,
  fieldDefault,
  NUMERIC_FIELDS,
  type NumericField,
  type PolicyDraft,
  QUIET_HELP,
  SCHOOL_HOURS_HELP,
  settingsFromDraft,
} from '../lib/policyForm.js';
import { WhatIfPanel } from './WhatIfPanel.js';

const NO_SCOPE = { groupIds: [], deviceIds: [] };

export interface PolicyEditorValue {
  name: string;
  description: string;
  settings: PolicySettings;
}

/** Every policy field with its bounds, default and one-line explanation; validated by the shared schema. */
export function PolicyEditor(props: {
  initial?: { name: string; description?: string | null; settings: PolicySettings };
  readOnly?: boolean;
  onSave: (v: PolicyEditorValue) => Promise<void>;
  onCancel?: () => void;
  serverError?: string;
  /** where the policy is assigned, for "Wat levert dit op?"; absent: the whole board */
  scope?: { groupIds: number[]; deviceIds: number[] };
}) {
  const { t, lang } = useI18n();
  const [name, setName] = useState(props.initial?.name ?? '');
  const [description, setDescription] = useState(props.initial?.description ?? '');
  const [draft, setDraft] = useState<PolicyDraft>(() =>
    draftFromSettings(props.initial?.settings ?? { auditOnly: false }),
  );
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const result = useMemo(() => settingsFromDraft(draft, lang), [draft, lang]);
  const nameError =
    submitted && !name.trim()
      ? lang === 'nl'
        ? 'Geef het energiebeleid een naam'
        : 'Give the policy a name'
      : undefined;
  const errors = submitted ? result.errors : {};
  const days = weekdayNames(lang);
  const ro = !!props.readOnly;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    setSubmitted(true);
    if (!result.settings || !name.trim()) {
      // after the errors render, take the keyboard to the first field that needs fixing
      setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      await props.onSave({ name: name.trim(), description: description.trim(), settings: result.settings });
    } finally {
      setBusy(false);
    }
  };

  const numField = (f: NumericField) => (
    <NumberInput
      key={f.path}
      field={f}
      value={draft.numbers[f.path] ?? ''}
      error={errors[f.path]}
      disabled={ro}
      onChange={(v) => setDraft((d) => ({ ...d, numbers: { ...d.numbers, [f.path]: v } }))}
    />
  );
  const byPrefix = (p: string) => NUMERIC_FIELDS.filter((f) => f.path.startsWith(p));
  const hasErrors = submitted && (Object.keys(result.errors).length > 0 || !!nameError);

  return (
    <form className="policy-editor" onSubmit={submit} noValidate data-testid="policy-editor">
      {hasErrors && (
        <p className="error-box" role="alert">
          {t('policies.invalid')}
        </p>
      )}
      {props.serverError && (
        <p className="error-box" role="alert">
          {props.serverError}
        </p>
      )}
      <div className="form-grid">
        <label className="field">
          <span>{t('policies.name')}</span>
          <input
            name="policyName"
            value={name}
            onChange={(e) => setName(e.target.value)}
            disabled={ro}
            maxLength={100}
            aria-invalid={!!nameError}
          />
          {nameError && <span className="field-error">{nameError}</span>}
        </label>
        <label className="field">
          <span>{t('policies.description')}</span>
          <textarea
            name="policyDescription"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            disabled={ro}
            maxLength={1000}
          />
        </label>
      </div>
      <fieldset>
        <legend>{lang === 'nl' ? 'Algemeen' : 'General'}</legend>
        {BOOLEAN_FIELDS.filter((f) => f.path === 'auditOnly').map((f) => (
          <Flag key={f.path} f={f} draft={draft} setDraft={setDraft} disabled={ro} />
        ))}
        <div className="form-grid">{byPrefix('idleThresholdSec').map(numField)}</div>
      </fieldset>
      <fieldset>
        <legend>
          {lang === 'nl' ? 'Slaapstand, beeldscherm en helderheid' : 'Sleep, display and brightness'}
        </legend>
        <div className="form-grid">
          {[
            ...byPrefix('sleepAfterSec'),
            ...byPrefix('displayOffAfterSec'),
            ...byPrefix('brightnessCapPct'),
          ].map(numField)}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('groups.schoolHours')}</legend>
        <p className="help">{SCHOOL_HOURS_HELP[lang]}</p>
        <div className="hours">
          {WEEKDAYS.map((day, i) => {
            const w = draft.schoolHours[day];
            const set = (v: { start: string; end: string } | undefined) =>
              setDraft((d) => ({ ...d, schoolHours: { ...d.schoolHours, [day]: v } }));
            const err = errors[`schoolHours.${day}.end`] ?? errors[`schoolHours.${day}.start`];
            return (
              <div key={day} className="hours-row">
                <label className="check">
                  <input
                    type="checkbox"
                    checked={!!w}
                    disabled={ro}
                    onChange={(e) => set(e.target.checked ? { start: '08:30', end: '15:30' } : undefined)}
                  />
                  {days[i]}
                </label>
                {w && (
                  <>
                    <input
                      type="time"
                      aria-label={`${days[i]} start`}
                      value={w.start}
                      disabled={ro}
                      onChange={(e) => set({ ...w, start: e.target.value })}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      aria-label={`${days[i]} end`}
                      value={w.end}
                      disabled={ro}
                      onChange={(e) => set({ ...w, end: e.target.value })}
                      aria-invalid={!!err}
                    />
                  </>
                )}
                {err && <span className="field-error">{err}</span>}
              </div>
            );
          })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{lang === 'nl' ? 'Buiten schooltijd' : 'Outside school hours'}</legend>
        <div className="form-grid">{byPrefix('outsideSchoolHours').map(numField)}</div>
        <div className="form-grid">
          <label className="field">
            <span>{lang === 'nl' ? 'Vaste actie na schooltijd' : 'Scheduled action after school'}</span>
            <select
              value={draft.action}
              disabled={ro}
              onChange={(e) => setDraft((d) => ({ ...d, action: e.target.value as PolicyDraft['action'] }))}
            >
              <option value="">{t('policies.notSet')}</option>
              <option value="none">{lang === 'nl' ? 'Geen' : 'None'}</option>
              <option value="sleep">{lang === 'nl' ? 'Slaapstand' : 'Sleep'}</option>
              <option value="shutdown">{lang === 'nl' ? 'Uitzetten' : 'Shut down'}</option>
            </select>
            <span className="help">{ACTION_HELP[lang]}</span>
          </label>
          <label className="field">
            <span>{lang === 'nl' ? 'Tijdstip' : 'At'}</span>
            <input
              type="time"
              value={draft.actionAt}
              disabled={ro}
              onChange={(e) => setDraft((d) => ({ ...d, actionAt: e.target.value }))}
              aria-invalid={!!errors['outsideSchoolHours.actionAt']}
            />
            {errors['outsideSchoolHours.actionAt'] && (
              <span className="field-error">{errors['outsideSchoolHours.actionAt']}</span>
            )}
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>{lang === 'nl' ? 'Meldingen voor leerlingen' : 'Nudges for pupils'}</legend>
        {BOOLEAN_FIELDS.filter((f) => f.path !== 'auditOnly').map((f) => (
          <Flag key={f.path} f={f} draft={draft} setDraft={setDraft} disabled={ro} />
        ))}
        <div className="form-grid">{[...byPrefix('nudges'), ...byPrefix('snoozeMinutes')].map(numField)}</div>
        <h4>{lang === 'nl' ? 'Stille uren' : 'Quiet hours'}</h4>
        <p className="help">{QUIET_HELP[lang]}</p>
        {draft.quietHours.map((q, qi) => {
          const setQ = (v: typeof q | null) =>
            setDraft((d) => ({
              ...d,
              quietHours:
                v === null
                  ? d.quietHours.filter((_, j) => j !== qi)
                  : d.quietHours.map((x, j) => (j === qi ? v : x)),
            }));
          const err = Object.entries(errors).find(([k]) => k.startsWith(`nudges.quietHours.${qi}.`))?.[1];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            <div key={qi} className="quiet-row">
              {WEEKDAYS.map((day: Weekday, i) => (
                <label key={day} className="check small">
                  <input
                    type="checkbox"
                    disabled={ro}
                    checked={q.days.includes(day)}
                    onChange={(e) =>
                      setQ({
                        ...q,
                        days: e.target.checked ? [...q.days, day] : q.days.filter((x) => x !== day),
                      })
                    }
                  />
                  {days[i]}
                </label>
              ))}
              <input
                type="time"
                aria-label={lang === 'nl' ? 'Stille tijd vanaf' : 'Quiet from'}
                value={q.start}
                disabled={ro}
                onChange={(e) => setQ({ ...q, start: e.target.value })}
              />
              <span aria-hidden="true">–</span>
              <input
                type="time"
                aria-label={lang === 'nl' ? 'Stille tijd tot' : 'Quiet until'}
                value={q.end}
                disabled={ro}
                onChange={(e) => setQ({ ...q, end: e.target.value })}
              />
              {!ro && (
                <button type="button" className="btn-small danger" onClick={() => setQ(null)}>
                  {t('common.delete')}
                </button>
              )}
              {err && <span className="field-error">{err}</span>}
            </div>
          );
        })}
        {!ro && (
          <button
            type="button"
            className="btn-small"
            onClick={() =>
              setDraft((d) => ({
                ...d,
                quietHours: [
                  ...d.quietHours,
                  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '10:00' },
                ],
              }))
            }
          >
            + {lang === 'nl' ? 'Stille uren toevoegen' : 'Add quiet hours'}
          </button>
        )}
      </fieldset>
      {!ro && <WhatIfPanel settings={result.settings} scope={props.scope ?? NO_SCOPE} />}
      {!ro && (
        <div className="actions">
          <button type="submit" className="btn-primary" disabled={busy}>
            {t('common.save')}
          </button>
          {props.onCancel && (
            <button type="button" className="btn" onClick={props.onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}

function Flag({
  f,
  draft,
  setDraft,
  disabled,
}: {
  f: (typeof BOOLEAN_FIELDS)[number];
  draft: PolicyDraft;
  setDraft: (fn: (d: PolicyDraft) => PolicyDraft) => void;
  disabled: boolean;
}) {
  const { lang } = useI18n();
  const id = useId();
  return (
    <div className="flag">
      <label className="check">
        <input
          type="checkbox"
          name={f.path}
          aria-describedby={id}
          disabled={disabled}
          checked={!!draft.flags[f.path]}
          onChange={(e) => setDraft((d) => ({ ...d, flags: { ...d.flags, [f.path]: e.target.checked } }))}
        />
        {f.label[lang]}
      </label>
      <span id={id} className="help">
        {f.help[lang]}
      </span>
    </div>
  );
}

function NumberInput(props: {
  field: NumericField;
  value: string;
  error?: string;
  disabled: boolean;
  onChange: (v: string) => void;
}) {
  const { lang, t } = useI18n();
  const f = props.field;
  const id = useId();
  const def = fieldDefault(f);
  const min = f.bounds.min / f.factor;
  const max = f.bounds.max / f.factor;
  const unit = f.unit === 'min' ? 'min' : f.unit === 'pct' ? '%' : '×';
  return (
    <label className="field">
      <span>
        {f.label[lang]}{' '}
        <span className="muted small">
          ({min}–{max} {unit})
        </span>
      </span>
      <span className="with-unit">
        <input
          name={f.path}
          inputMode="numeric"
          value={props.value}
          placeholder={
            def !== undefined ? `${lang === 'nl' ? 'standaard' : 'default'} ${def}` : t('policies.notSet')
          }
          disabled={props.disabled}
          aria-invalid={!!props.error}
          aria-describedby={id}
          onChange={(e) => props.onChange(e.target.value)}
        />
        <span aria-hidden="true">{unit}</span>
      </span>
      <span id={id} className={props.error ? 'field-error' : 'help'}>
        {props.error ?? f.help[lang]}
      </span>
    </label>
  );
}
