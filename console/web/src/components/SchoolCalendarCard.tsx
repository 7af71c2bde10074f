import {
  type CalendarDay,
  type GroupCalendar,
  type SchoolCalendar,
  VACATION_REGIONS,
  type Vacation,
  type VacationRegion,
  WEEKDAYS,
  type Weekday,
} from '@sluimer/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { api, get } from '../lib/api.js';
import { weekdayNames } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { FormMessage, type FormMessageValue } from './FormMessage.js';

/**
 * The school calendar of a group (docs/impact.md, "School calendar"): a school edits its school hours,
 * region, vacations and study days here; rooms show the calendar they inherit. Policies that set no
 * school hours follow these, and the what-if and Besparing use the vacations.
 */
export function SchoolCalendarCard({
  groupId,
  isSchool,
  editable,
}: {
  groupId: number;
  isSchool: boolean;
  editable: boolean;
}) {
  const { t, lang } = useI18n();
  const days = weekdayNames(lang);
  const loaded = useApi<GroupCalendar>(`/api/v1/groups/${groupId}/calendar`);
  const [draft, setDraft] = useState<SchoolCalendar>();
  const [msg, setMsg] = useState<FormMessageValue>();
  useEffect(() => setDraft(loaded.data?.calendar), [loaded.data]);
  if (!loaded.data || !draft) return null;
  const a = loaded.data;
  const canEdit = editable && isSchool;
  const status = a.own ? 'own' : a.stored ? 'inherited' : 'assumed';

  const set = (patch: Partial<SchoolCalendar>) => setDraft({ ...draft, ...patch });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMsg(undefined);
    try {
      await api('PUT', `/api/v1/groups/${groupId}/calendar`, draft);
      setMsg({ ok: true, text: t('common.saved') });
      loaded.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  const loadRegion = async (region: VacationRegion) => {
    setMsg(undefined);
    try {
      const tpl = await get<SchoolCalendar>(`/api/v1/calendar/template?region=${region}&groupId=${groupId}`);
      // the region brings its vacations and holidays; the school's own hours and study days stay
      set({ region, vacations: tpl.vacations, holidays: tpl.holidays });
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  const setHours = (day: Weekday, value: { start: string; end: string } | undefined) => {
    const schoolHours = { ...draft.schoolHours };
    if (value) schoolHours[day] = value;
    else delete schoolHours[day];
    set({ schoolHours });
  };
  const setVacation = (i: number, patch: Partial<Vacation>) =>
    set({ vacations: draft.vacations.map((v, j) => (j === i ? { ...v, ...patch, indicative: false } : v)) });
  const setStudyDay = (i: number, patch: Partial<CalendarDay>) =>
    set({ studyDays: draft.studyDays.map((d, j) => (j === i ? { ...d, ...patch } : d)) });

  return (
    <section className="card" aria-labelledby={`cal-h-${groupId}`} data-testid="school-calendar">
      <h2 id={`cal-h-${groupId}`}>{t('calendar.title')}</h2>
      <p className="muted">{t(`calendar.status.${status}` as MessageKey)}</p>
      {!isSchool && <p className="muted">{t('calendar.onSchool')}</p>}
      <form onSubmit={save}>
        <fieldset disabled={!canEdit} className="calendar-form">
          <label className="field">
            <span>{t('calendar.region')}</span>
            <select
              value={draft.region ?? ''}
              onChange={(e) => void loadRegion(e.target.value as VacationRegion)}
              name="region"
            >
              {!draft.region && <option value="">{t('common.none')}</option>}
              {VACATION_REGIONS.map((r) => (
                <option key={r} value={r}>
                  {t(`calendar.region.${r}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>{t('calendar.hours')}</legend>
            {WEEKDAYS.map((d, i) => {
              const h = draft.schoolHours[d];
              return (
                <div className="hours-row" key={d}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={h !== undefined}
                      onChange={(e) =>
                        setHours(d, e.target.checked ? { start: '08:30', end: '15:30' } : undefined)
                      }
                    />
                    {days[i]}
                  </label>
                  {h && (
                    <>
                      <input
                        type="time"
                        aria-label={`${days[i]} ${t('calendar.from')}`}
                        value={h.start}
                        onChange={(e) => setHours(d, { ...h, start: e.target.value })}
                      />
                      <input
                        type="time"
                        aria-label={`${days[i]} ${t('calendar.to')}`}
                        value={h.end}
                        onChange={(e) => setHours(d, { ...h, end: e.target.value })}
                      />
                    </>
                  )}
                </div>
              );
            })}
          </fieldset>
          <fieldset>
            <legend>{t('calendar.vacations')}</legend>
            {draft.vacations.map((v, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the index is their identity
              <div className="form-row" key={i}>
                <input
                  aria-label={t('calendar.name')}
                  value={v.name}
                  onChange={(e) => setVacation(i, { name: e.target.value })}
                />
                <input
                  type="date"
                  aria-label={`${v.name} ${t('calendar.from')}`}
                  value={v.start}
                  onChange={(e) => setVacation(i, { start: e.target.value })}
                />
                <input
                  type="date"
                  aria-label={`${v.name} ${t('calendar.to')}`}
                  value={v.end}
                  onChange={(e) => setVacation(i, { end: e.target.value })}
                />
                {v.indicative && <span className="muted">{t('calendar.indicative')}</span>}
                <button
                  type="button"
                  className="btn-small"
                  onClick={() => set({ vacations: draft.vacations.filter((_, j) => j !== i) })}
                >
                  {t('common.delete')}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="btn-small"
              onClick={() =>
                set({
                  vacations: [...draft.vacations, { name: t('calendar.newVacation'), start: '', end: '' }],
                })
              }
            >
              {t('calendar.addVacation')}
            </button>
          </fieldset>
          <fieldset>
            <legend>{t('calendar.studyDays')}</legend>
            {draft.studyDays.length === 0 && <p className="muted">{t('calendar.noStudyDays')}</p>}
            {draft.studyDays.map((d, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the index is their identity
              <div className="form-row" key={i}>
                <input
                  type="date"
                  aria-label={t('calendar.date')}
                  value={d.date}
                  onChange={(e) => setStudyDay(i, { date: e.target.value })}
                />
                <input
                  aria-label={t('calendar.name')}
                  value={d.name}
                  onChange={(e) => setStudyDay(i, { name: e.target.value })}
                />
                <button
                  type="button"
                  className="btn-small"
                  onClick={() => set({ studyDays: draft.studyDays.filter((_, j) => j !== i) })}
                >
                  {t('common.delete')}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="btn-small"
              onClick={() =>
                set({ studyDays: [...draft.studyDays, { date: '', name: t('calendar.newStudyDay') }] })
              }
            >
              {t('calendar.addStudyDay')}
            </button>
          </fieldset>
          <p className="muted">{t('calendar.holidays', { n: draft.holidays.length })}</p>
          {canEdit && (
            <button type="submit" className="btn">
              {t('calendar.save')}
            </button>
          )}
        </fieldset>
      </form>
      <FormMessage msg={msg} alertOnError />
    </section>
  );
}
