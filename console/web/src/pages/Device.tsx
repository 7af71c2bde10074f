import {
  DAY_MS,
  DEVICE_CLASSES,
  type DeviceDetail,
  type Group,
  type Policy,
  type Timeline as TimelineAnswer,
  type UsageResponse,
} from '@sluimer/shared';
import { type FormEvent, useMemo, useState } from 'react';
import { type ChartOption, EChart } from '../components/Chart.js';
import { DataTable } from '../components/DataTable.js';
import { Explain } from '../components/Explain.js';
import { FormMessage, type FormMessageValue } from '../components/FormMessage.js';
import { LifecycleCard } from '../components/LifecycleCard.js';
import { PeriodPicker } from '../components/PeriodPicker.js';
import { ErrorBox, Tile } from '../components/Tile.js';
import { api, qs } from '../lib/api.js';
import {
  formatAgo,
  formatDateTime,
  formatDuration,
  formatEur,
  formatHours,
  formatKg,
  formatKwh,
  formatNumber,
  formatPercent,
  formatTime,
  type Lang,
} from '../lib/format.js';
import { errorMessage, useApi, useNow } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { blockerKindText, chassisText, osText } from '../lib/inventoryText.js';
import { useLiveEvents } from '../lib/live.js';
import { useThrottledLiveRefresh } from '../lib/liveRefresh.js';
import type { MessageKey } from '../lib/messages.js';
import { type Period, periodFor } from '../lib/period.js';
import { policyLayers } from '../lib/precedence.js';
import { Link, navigate, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { type TimelineInterval, type TimelineState, timelineBars } from '../lib/shaping.js';
import { ComplianceBadge, onlineState, StateBadge } from './Devices.js';
import { groupPaths } from './Groups.js';

const STATE_COLOR: Record<TimelineState, string> = {
  active: '#2e7d4f',
  idle: '#d9822b',
  asleep: '#2f5f98',
  off: '#7b868a',
};

export function DevicePage({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const now = useNow();
  const dev = useApi<DeviceDetail>(`/api/v1/devices/${id}`);
  const d = dev.data;
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);
  const policies = useApi<Policy[]>(can.editPolicies(user.role) ? '/api/v1/policies' : null);
  const policyNames = useMemo(
    () => new Map((policies.data ?? []).map((p) => [p.id, p.name])),
    [policies.data],
  );
  useTitle(d ? (d.name ?? d.hostname) : t('device.title'));
  useLiveEvents(['device', 'policy_status'], (e) => {
    if (e.deviceId === id) dev.reload();
  });

  if (dev.error)
    return (
      <main id="main" className="page">
        <ErrorBox message={errorMessage(dev.error, t)} onRetry={dev.reload} retryLabel={t('common.retry')} />
      </main>
    );
  if (!d)
    return (
      <main id="main" className="page">
        <p aria-busy="true">{t('common.loading')}</p>
      </main>
    );

  const inv = d.inventory ?? {};
  const bat = inv.battery;
  const life = d.lifecycle;
  // the console's figure also covers batteries that report mAh; older consoles send none
  const health =
    life?.batteryHealthPct != null
      ? life.batteryHealthPct / 100
      : bat?.designCapacityWh && bat.fullCapacityWh
        ? bat.fullCapacityWh / bat.designCapacityWh
        : undefined;
  const status = d.policyStatusDetail ?? null;
  const applied = (status?.applied ?? {}) as Record<string, unknown>;
  const errors = status?.errors ?? [];
  const asked = (d.effectivePolicy ?? {}) as Record<string, unknown>;

  const settingRows = [
    ['sleepAfterSec', 'ac'],
    ['sleepAfterSec', 'battery'],
    ['displayOffAfterSec', 'ac'],
    ['displayOffAfterSec', 'battery'],
    ['brightnessCapPct', 'ac'],
    ['brightnessCapPct', 'battery'],
  ].map(([k, src]) => {
    const a = (asked[k!] as Record<string, number> | undefined)?.[src!];
    const r = (applied[k!] as Record<string, number | null> | undefined)?.[src!];
    const fmt = (v: number | null | undefined) =>
      v == null ? '—' : k === 'brightnessCapPct' ? `${v}%` : formatDuration(v, lang);
    return {
      key: `${k}.${src}`,
      name: settingLabel(k!, src!, lang),
      asked: a,
      reported: r,
      fmtAsked: fmt(a),
      fmtReported: fmt(r),
    };
  });

  return (
    <main id="main" className="page">
      <p>
        <Link to="/devices">← {t('device.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{d.name ?? d.hostname}</h1>
        <StateBadge state={onlineState(d)} />
        <ComplianceBadge status={d.policyStatus} />
      </div>
      <p className="muted">
        {paths.get(d.groupId) ?? d.groupName ?? ''} · {t(`class.${d.deviceClass}` as MessageKey)} ·{' '}
        {t('col.lastSeen')}: {d.lastSeen ? formatAgo(d.lastSeen, now, lang) : '—'}
        {d.agentVersion ? ` · agent ${d.agentVersion}` : ''}
      </p>
      <DeviceWaste id={id} groupId={d.groupId} />
      <Timeline id={id} span={DAY_MS} title={t('device.timeline24')} now={now} />
      <Timeline id={id} span={7 * DAY_MS} title={t('device.timeline7')} now={now} />
      <div className="grid-2">
        <section className="card" aria-labelledby="pol-h" data-testid="device-policy">
          <h2 id="pol-h">{t('device.policy')}</h2>
          <p>
            {d.effectivePolicy?.policyName ?? d.effectivePolicyName ?? t('reason.noPolicy')}
            {d.effectivePolicy?.auditOnly && (
              <span className="badge comp-pending">{lang === 'nl' ? 'alleen meten' : 'audit only'}</span>
            )}
            {d.excludedReason && (
              <span className="badge comp-pending">{t('reason.excluded', { reason: d.excludedReason })}</span>
            )}
          </p>
          <p className="muted small" data-testid="policy-layers">
            {t('policies.precedence')}
          </p>
          <ol className="layers">
            {policyLayers(d, groupList).map((l, i) => (
              <li key={`${l.level}-${l.groupId ?? 0}`} className={i === 0 ? 'wins' : 'overruled'}>
                {l.level === 'device'
                  ? lang === 'nl'
                    ? 'Dit apparaat'
                    : 'This device'
                  : (paths.get(l.groupId!) ?? `#${l.groupId}`)}
                :{' '}
                <Link to={`/policies?id=${l.policyId}`}>
                  {policyNames.get(l.policyId) ?? `#${l.policyId}`}
                </Link>
                {i > 0 && (
                  <span className="muted small"> ({lang === 'nl' ? 'overschreven' : 'overruled'})</span>
                )}
              </li>
            ))}
            <li className="overruled">
              {lang === 'nl' ? 'Standaard van de console: alleen meten' : 'Console default: measure only'}
            </li>
          </ol>
          <DataTable
            caption={t('device.policy')}
            csvName={`sluimer-apparaat-${id}-instellingen`}
            rows={settingRows}
            rowKey={(r) => r.key}
            columns={[
              { key: 'name', label: t('device.setting'), value: (r) => r.name },
              {
                key: 'asked',
                label: t('device.asked'),
                value: (r) => r.asked ?? '',
                render: (r) => r.fmtAsked,
              },
              {
                key: 'reported',
                label: t('device.reported'),
                value: (r) => r.reported ?? '',
                render: (r) => (
                  <span
                    className={
                      r.asked != null && r.reported != null && r.asked !== r.reported ? 'mismatch' : undefined
                    }
                  >
                    {r.fmtReported}
                  </span>
                ),
              },
            ]}
          />
          {errors.length > 0 && (
            <>
              <h3>{t('device.errors')}</h3>
              <ul className="errors">
                {errors.map((e, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: errors have no id
                  <li key={i}>
                    <code>{e.code}</code> {e.setting && <strong>{e.setting}: </strong>}
                    {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          {status && <p className="muted small">{formatDateTime(status.at, lang)}</p>}
        </section>
        <section className="card" aria-labelledby="blk-h" data-testid="device-blockers">
          <h2 id="blk-h">{t('device.blockers')}</h2>
          {d.blockers && d.blockers.length > 0 ? (
            <ul>
              {d.blockers.map((b, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: blockers have no id
                <li key={i}>
                  {can.seeBlockerNames(user.role) ? (
                    <>
                      <strong>{b.name}</strong> ({blockerKindText(b.kind, lang)})
                    </>
                  ) : (
                    <strong>{blockerKindText(b.kind, lang)}</strong>
                  )}
                  {b.reason ? `: ${b.reason}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('device.noBlockers')}</p>
          )}
          <h2>{t('device.inventory')}</h2>
          <dl className="facts">
            <dt>{t('col.os')}</dt>
            <dd>{osText(inv.os, inv.osVersion, lang)}</dd>
            <dt>Model</dt>
            <dd>{[inv.manufacturer, inv.model].filter(Boolean).join(' ') || '—'}</dd>
            <dt>{lang === 'nl' ? 'Behuizing' : 'Chassis'}</dt>
            <dd>{chassisText(inv.chassisType, lang)}</dd>
            <dt>{t('device.battery')}</dt>
            <dd data-testid="battery">
              {!bat?.hasBattery
                ? t('device.noBattery')
                : [
                    health !== undefined
                      ? t('device.batteryHealth', { pct: formatPercent(health, lang) })
                      : undefined,
                    bat.cycleCount !== undefined
                      ? `${formatNumber(bat.cycleCount, lang, 0)} ${lang === 'nl' ? 'laadcycli' : 'cycles'}`
                      : undefined,
                    bat.designCapacityWh
                      ? `${formatNumber(bat.designCapacityWh, lang, 1)} Wh ${lang === 'nl' ? 'nieuw' : 'design'}`
                      : undefined,
                  ]
                    .filter(Boolean)
                    .join(' · ') || t('common.unknown')}
            </dd>
            {life && bat?.hasBattery && (
              <>
                <dt>{t('device.batteryOutlook')}</dt>
                <dd data-testid="battery-outlook">
                  {life.batteryProjection
                    ? t('device.batteryBelow', {
                        m80: life.batteryProjection.below80 ?? '—',
                        m60: life.batteryProjection.below60 ?? '—',
                      })
                    : t('device.batteryNoOutlook')}
                </dd>
              </>
            )}
            {life?.age && (
              <>
                <dt>{t('device.age')}</dt>
                <dd data-testid="device-age">
                  {t(
                    life.age.source === 'purchase'
                      ? 'device.age.purchase'
                      : life.age.source === 'bios'
                        ? 'device.age.bios'
                        : 'device.age.firstSeen',
                    { years: formatNumber(life.age.years, lang, 1), since: life.age.since },
                  )}
                </dd>
              </>
            )}
          </dl>
        </section>
      </div>
      {life && <LifecycleCard life={life} hasBattery={bat?.hasBattery === true} />}
      {can.editDevices(user.role) && <DeviceAdmin device={d} onSaved={dev.reload} />}
      {can.seeSettings(user.role) && <DevicePrivacy id={id} name={d.name ?? d.hostname} />}
    </main>
  );
}

/**
 * This device's own avoidable waste for a period of your choice, in euros, kg CO2e and kWh. Read from
 * the usage per device of its group (the same numbers as the overview), so both always agree.
 */
function DeviceWaste({ id, groupId }: { id: number; groupId: number }) {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState<Period>(() => periodFor('thisWeek', Date.now()));
  const usage = useApi<UsageResponse>(
    `/api/v1/usage${qs({ from: period.from, to: period.to, groupBy: 'device', groupId })}`,
  );
  const row = usage.data?.rows.find((r) => r.key === String(id));
  const dash = usage.loading ? '…' : undefined;
  const zero = { wasteEur: 0, wasteKwh: 0, wasteCo2eKg: 0, idleSec: 0 };
  const w = row ?? (usage.data ? zero : undefined);
  return (
    <section className="card" aria-labelledby="dw-h" data-testid="device-waste" aria-busy={usage.loading}>
      <header className="card-head">
        <h2 id="dw-h">{t('device.waste')}</h2>
        <PeriodPicker value={period} onChange={setPeriod} />
      </header>
      {usage.error ? (
        <ErrorBox
          message={errorMessage(usage.error, t)}
          onRetry={usage.reload}
          retryLabel={t('common.retry')}
        />
      ) : (
        <div className="tiles">
          <Tile
            tone="waste"
            label={t('tile.wasteEur')}
            value={w ? formatEur(w.wasteEur, lang) : (dash ?? '—')}
            explain={t('device.waste.explain')}
            testId="device-waste-eur"
          />
          <Tile
            tone="waste"
            label={t('tile.wasteCo2')}
            value={w ? formatKg(w.wasteCo2eKg, lang) : (dash ?? '—')}
            explain={t('device.waste.explain')}
          />
          <Tile
            label={t('tile.wasteKwh')}
            value={w ? formatKwh(w.wasteKwh, lang) : (dash ?? '—')}
            explain={t('device.waste.explain')}
          />
          <Tile
            label={t('tile.idleHours')}
            value={w ? formatHours(w.idleSec, lang) : (dash ?? '—')}
            explain={t('tile.idleHours.explain')}
          />
        </div>
      )}
    </section>
  );
}

/**
 * AVG (GDPR) for one device, admin only: download everything the console stores about it, or erase
 * it all. Erasing asks for the device's name, as a deliberate second step.
 */
function DevicePrivacy({ id, name }: { id: number; name: string }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const erase = async () => {
    const typed = window.prompt(t('device.erase.confirm', { name }));
    if (typed === null) return;
    if (typed.trim() !== name) {
      setError(t('device.erase.mismatch'));
      return;
    }
    try {
      await api('DELETE', `/api/v1/devices/${id}`);
      navigate('/devices');
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <section className="card" aria-labelledby="avg-h" data-testid="device-privacy">
      <h2 id="avg-h">{t('device.avg')}</h2>
      <p className="help">{t('device.avg.explain')}</p>
      {error && <ErrorBox message={error} />}
      <p className="form-row">
        <a
          className="btn-small"
          href={`/api/v1/devices/${id}/export`}
          download={`sluimer-apparaat-${id}.json`}
        >
          {t('device.export')}
        </a>{' '}
        <button type="button" className="btn-small danger" onClick={erase}>
          {t('device.erase')}
        </button>
      </p>
    </section>
  );
}

function settingLabel(k: string, src: string, lang: Lang): string {
  const names: Record<string, [string, string]> = {
    sleepAfterSec: ['Slaapstand na', 'Sleep after'],
    displayOffAfterSec: ['Beeldscherm uit na', 'Display off after'],
    brightnessCapPct: ['Maximale helderheid', 'Brightness cap'],
  };
  const s = src === 'ac' ? (lang === 'nl' ? 'stroomnet' : 'AC') : lang === 'nl' ? 'batterij' : 'battery';
  return `${names[k]?.[lang === 'nl' ? 0 : 1] ?? k} (${s})`;
}

function Timeline({ id, span, title, now }: { id: number; span: number; title: string; now: number }) {
  const { t, lang } = useI18n();
  // round "to" to the minute so the URL (and the fetch) is stable between renders
  const [to, setTo] = useState(() => Math.ceil(now / 60_000) * 60_000);
  const from = to - span;
  const res = useApi<TimelineAnswer>(`/api/v1/web/devices/${id}/timeline${qs({ from, to })}`);
  const intervals = useMemo<TimelineInterval[]>(() => res.data?.intervals ?? [], [res.data]);
  const { bars, seconds, coverage } = useMemo(() => timelineBars(intervals, from, to), [intervals, from, to]);
  // an empty timeline (a device just enrolled) fills in as its first measurements arrive
  const waiting = bars.length === 0 && !res.loading && !res.error;
  useThrottledLiveRefresh(['report', 'device'], () => {
    if (!waiting) return;
    const next = Math.ceil(Date.now() / 60_000) * 60_000;
    if (next !== to) setTo(next);
    else res.reload();
  });
  const states: TimelineState[] = ['active', 'idle', 'asleep', 'off'];
  const label = (s: TimelineState) => t(`state.${s}` as MessageKey);
  // biome-ignore lint/correctness/useExhaustiveDependencies: label and states derive from lang
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        confine: true,
        formatter: (p: { value: [number, number, number, number] }) =>
          `${label(states[p.value[0]]!)}<br/>${formatDateTime(p.value[1], lang)} – ${formatTime(p.value[2], lang)}<br/>${formatDuration((p.value[2] - p.value[1]) / 1000, lang)}`,
      },
      xAxis: {
        type: 'time',
        min: from,
        max: to,
        axisLabel: {
          color: '#3d4a4f',
          hideOverlap: true,
          formatter: (v: number) =>
            span > DAY_MS ? formatDateTime(v, lang).split(' ').slice(0, 2).join(' ') : formatTime(v, lang),
        },
        splitNumber: span > DAY_MS ? 7 : 6,
      },
      yAxis: { type: 'category', data: states.map(label), inverse: true, axisLabel: { color: '#3d4a4f' } },
      series: [
        {
          type: 'custom',
          encode: { x: [1, 2], y: 0 },
          data: bars.map((b) => ({
            value: [states.indexOf(b.state), b.start, b.end, 0],
            itemStyle: { color: STATE_COLOR[b.state] },
          })),
          renderItem: (
            params: unknown,
            api: {
              value: (i: number) => number;
              coord: (v: [number, number]) => [number, number];
              size: (v: [number, number]) => [number, number];
              style: () => object;
            },
          ) => {
            const cat = api.value(0);
            const start = api.coord([api.value(1), cat]);
            const end = api.coord([api.value(2), cat]);
            const h = api.size([0, 1])[1] * 0.7;
            void params;
            return {
              type: 'rect',
              shape: { x: start[0], y: start[1] - h / 2, width: Math.max(1, end[0] - start[0]), height: h },
              style: api.style(),
            };
          },
        },
      ],
    }),
    [bars, from, to, lang, span],
  );
  const slug = span > DAY_MS ? '7d' : '24h';
  return (
    <section className="card chart-card" aria-label={title} data-testid={`timeline-${slug}`}>
      <header className="card-head">
        <h2>
          {title} <Explain text={t('device.timeline.explain')} label={title} />
        </h2>
        <span className="muted small">
          {states.map((s) => `${label(s)} ${formatDuration(Math.round(seconds[s]), lang)}`).join(' · ')} ·{' '}
          {lang === 'nl'
            ? `${formatPercent(coverage, lang)} van de tijd gemeten`
            : `${formatPercent(coverage, lang)} of the time measured`}
        </span>
      </header>
      {res.error ? (
        <ErrorBox message={errorMessage(res.error, t)} onRetry={res.reload} retryLabel={t('common.retry')} />
      ) : bars.length === 0 && !res.loading ? (
        <p className="empty">{t('empty.noData')}</p>
      ) : (
        <EChart
          option={option}
          height={170}
          label={`${title}, ${lang === 'nl' ? 'van' : 'from'} ${formatDateTime(from, lang)} ${lang === 'nl' ? 'tot' : 'to'} ${formatDateTime(to, lang)}: ${states.map((s) => `${label(s).toLowerCase()} ${formatDuration(Math.round(seconds[s]), lang)}`).join(', ')}.`}
        />
      )}
      {(res.data as { truncated?: boolean } | undefined)?.truncated && (
        <p className="muted small" data-testid="timeline-truncated">
          {lang === 'nl'
            ? 'Dit apparaat meldde meer intervallen dan de console in één tijdlijn toont; alleen het eerste deel staat hier.'
            : 'This device reported more intervals than the console shows in one timeline; only the first part is shown.'}
        </p>
      )}
      <details>
        <summary>{t('common.showTable')}</summary>
        <DataTable
          caption={title}
          csvName={`sluimer-apparaat-${id}-${slug}`}
          rows={bars}
          rowKey={(b) => String(b.start)}
          columns={[
            {
              key: 'start',
              label: lang === 'nl' ? 'Begin' : 'Start',
              value: (b) => b.start,
              csv: (b) => ({ time: b.start }),
              render: (b) => formatDateTime(b.start, lang),
            },
            {
              key: 'end',
              label: lang === 'nl' ? 'Eind' : 'End',
              value: (b) => b.end,
              csv: (b) => ({ time: b.end }),
              render: (b) => formatDateTime(b.end, lang),
            },
            {
              key: 'state',
              label: t('col.state'),
              value: (b) => b.state,
              render: (b) => label(b.state),
              csv: (b) => label(b.state),
            },
            {
              key: 'dur',
              label: lang === 'nl' ? 'Duur (minuten)' : 'Duration (minutes)',
              numeric: true,
              decimals: 1,
              csv: (b) => (b.end - b.start) / 60_000,
              value: (b) => (b.end - b.start) / 1000,
              render: (b) => formatDuration((b.end - b.start) / 1000, lang),
            },
          ]}
        />
      </details>
    </section>
  );
}

function DeviceAdmin({ device, onSaved }: { device: DeviceDetail; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const [name, setName] = useState(device.name ?? '');
  const [cls, setCls] = useState(device.classOverride ?? '');
  const [excluded, setExcluded] = useState(device.ownExcludedReason ?? '');
  const [msg, setMsg] = useState<FormMessageValue>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('PATCH', `/api/v1/devices/${device.id}`, {
        name: name.trim() || null,
        deviceClass: cls || null,
        excludedReason: excluded.trim() || null,
      });
      setMsg({ ok: true, text: t('common.saved') });
      onSaved();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  return (
    <section className="card" aria-labelledby="adm-h" data-testid="device-admin">
      <h2 id="adm-h">{lang === 'nl' ? 'Beheer' : 'Manage'}</h2>
      <form className="form-grid" onSubmit={save}>
        <label className="field">
          <span>{t('col.name')}</span>
          <input
            value={name}
            placeholder={device.hostname}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
          />
          <span className="help">
            {lang === 'nl' ? 'Leeg laten: de computernaam.' : 'Leave empty: the host name.'}
          </span>
        </label>
        <label className="field">
          <span>{t('col.class')}</span>
          <select value={cls} onChange={(e) => setCls(e.target.value)}>
            <option value="">
              {lang === 'nl' ? 'Automatisch' : 'Automatic'}:{' '}
              {t(`class.${device.detectedClass ?? device.deviceClass}` as MessageKey)}
            </option>
            {DEVICE_CLASSES.map((c) => (
              <option key={c} value={c}>
                {t(`class.${c}` as MessageKey)}
              </option>
            ))}
          </select>
          <span className="help">
            {lang === 'nl'
              ? 'De soort bepaalt het vermogen waarmee verbruik en verspilling worden berekend.'
              : 'The class sets the watts used to compute energy and waste.'}
          </span>
        </label>
        <label className="field">
          <span>{lang === 'nl' ? 'Uitzondering (reden)' : 'Exclusion (reason)'}</span>
          <input
            value={excluded}
            onChange={(e) => setExcluded(e.target.value)}
            maxLength={500}
            name="excludedReason"
          />
          <span className="help">
            {lang === 'nl'
              ? 'Met een reden (bijv. presentatie-pc) meet Sluimer alleen en dwingt niets af.'
              : 'With a reason (e.g. presentation PC) Sluimer only measures and enforces nothing.'}
          </span>
        </label>
        <div className="actions">
          <button type="submit" className="btn-primary">
            {t('common.save')}
          </button>
        </div>
      </form>
      <FormMessage msg={msg} />
    </section>
  );
}
