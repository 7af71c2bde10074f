import type { PolicyChange, RoomSavings, SavingsAnswer, SchoolSavings } from '@sluimer/shared';
import { useMemo } from 'react';
import { ChartCard, type ChartOption } from '../components/Chart.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { ErrorBox, Tile } from '../components/Tile.js';
import { formatEur, formatNumber, formatPercent } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { useTitle } from '../lib/router.js';

export function SavingsPage() {
  const { t } = useI18n();
  useTitle(t('savings.title'));
  const answer = useApi<SavingsAnswer>('/api/v1/savings');
  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('savings.title')}</h1>
      </div>
      <p className="lead">{t('savings.intro')}</p>
      {answer.error && (
        <ErrorBox
          message={errorMessage(answer.error, t)}
          onRetry={answer.reload}
          retryLabel={t('common.retry')}
        />
      )}
      {answer.loading && !answer.data && <p>{t('common.loading')}</p>}
      {answer.data && answer.data.schools.length === 0 && <p className="empty">{t('savings.empty')}</p>}
      {answer.data?.schools.map((s) => (
        <SchoolSavingsView key={s.groupId} school={s} />
      ))}
    </main>
  );
}

function policyLabel(p: PolicyChange['from'], t: ReturnType<typeof useI18n>['t']): string {
  return p.auditOnly && !p.policyName
    ? t('savings.auditOnly')
    : (p.policyName ?? t('savings.consoleDefault'));
}

function SchoolSavingsView({ school }: { school: SchoolSavings }) {
  const { t, lang } = useI18n();
  const eur = (v: number | null) => (v === null ? '—' : formatEur(v, lang));
  const changed = school.changes.length > 0;
  const headingId = `savings-school-${school.groupId}`;

  const option = useMemo<ChartOption>(() => {
    const dates = school.trend.map((d) => d.date);
    const series = (types: string[]) =>
      school.trend.map((d) => (types.includes(d.dayType) ? Number(d.eurPerDevice.toFixed(4)) : null));
    return {
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', name: '€', axisLabel: { formatter: (v: number) => formatNumber(v, lang, 2) } },
      series: [
        {
          name: t('savings.trend.schoolDays'),
          type: 'line',
          data: series(['school_day']),
          connectNulls: true,
          markLine: {
            symbol: 'none',
            label: { formatter: '{b}', position: 'insideEndTop' },
            data: school.changes.map((c) => ({
              name: policyLabel(c.to, t),
              xAxis: c.date,
            })),
          },
        },
        {
          name: t('savings.trend.otherDays'),
          type: 'line',
          data: series(['weekend', 'vacation', 'holiday', 'study_day']),
          connectNulls: false,
          symbolSize: 4,
          lineStyle: { opacity: 0.4 },
        },
      ],
    };
  }, [school, t, lang]);

  const columns: Column<RoomSavings>[] = [
    { key: 'name', label: t('savings.col.room'), value: (r) => r.name },
    { key: 'devices', label: t('savings.col.devices'), value: (r) => r.devices, numeric: true },
    {
      key: 'change',
      label: t('savings.col.change'),
      value: (r) => r.change?.date ?? null,
      render: (r) =>
        r.change
          ? t('savings.changeText', {
              date: r.change.date,
              from: policyLabel(r.change.from, t),
              to: policyLabel(r.change.to, t),
            })
          : t('savings.noChange'),
    },
    {
      key: 'before',
      label: t('savings.col.before'),
      value: (r) => r.beforeEurPerDeviceDay,
      render: (r) => eur(r.beforeEurPerDeviceDay),
      numeric: true,
    },
    {
      key: 'after',
      label: t('savings.col.after'),
      value: (r) => r.afterEurPerDeviceDay,
      render: (r) => eur(r.afterEurPerDeviceDay),
      numeric: true,
    },
    {
      key: 'year',
      label: t('savings.col.perYear'),
      value: (r) => r.savingPerYearEur,
      render: (r) => eur(r.savingPerYearEur),
      numeric: true,
    },
    {
      key: 'basis',
      label: t('savings.col.basis'),
      value: (r) => r.comparison?.after.deviceDays ?? null,
      render: (r) =>
        r.comparison ? (
          <>
            {t('savings.deviceDays', {
              before: r.comparison.before.deviceDays,
              after: r.comparison.after.deviceDays,
            })}
            {r.comparison.note && <div className="muted">{r.comparison.note[lang]}</div>}
          </>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <section className="card" aria-labelledby={headingId} data-testid="savings-school">
      <header className="card-head">
        <h2 id={headingId}>{school.name}</h2>
      </header>
      {!school.calendarStored && <p className="notice">{t('savings.calendarAssumed')}</p>}
      {changed ? (
        <div className="tiles">
          <Tile
            label={t('savings.tile.perYear')}
            value={eur(school.savingPerYearEur)}
            explain={t('savings.tile.perYear.explain')}
            testId="savings-per-year"
          />
          <Tile
            label={t('savings.tile.beforeAfter')}
            value={`${eur(school.beforeEurPerDeviceDay)} → ${eur(school.afterEurPerDeviceDay)}`}
            sub={
              school.reductionPct === null
                ? t('savings.tile.noReduction')
                : t('savings.tile.reduction', { pct: formatPercent(school.reductionPct / 100, lang) })
            }
            explain={t('savings.tile.beforeAfter.explain')}
          />
          <Tile
            label={t('savings.tile.basis')}
            value={formatNumber(school.before.deviceDays + school.after.deviceDays, lang, 0)}
            sub={t('savings.deviceDays', {
              before: school.before.deviceDays,
              after: school.after.deviceDays,
            })}
            explain={t('savings.tile.basis.explain')}
          />
        </div>
      ) : (
        <p className="empty">{t('savings.noChangeYet')}</p>
      )}
      <ChartCard
        title={t('savings.trend.titleOf', { school: school.name })}
        explain={t('savings.trend.explain')}
        option={option}
        isEmpty={school.trend.length === 0}
        empty={t('savings.trend.empty')}
        summary={t('savings.trend.summary', { school: school.name, changes: school.changes.length })}
        table={
          <DataTable
            caption={t('savings.trend.title')}
            csvName={`besparing-${school.name}`}
            rowKey={(d) => d.date}
            rows={school.trend}
            columns={[
              { key: 'date', label: t('savings.col.date'), value: (d) => d.date },
              { key: 'type', label: t('savings.col.dayType'), value: (d) => d.dayType },
              {
                key: 'eur',
                label: t('savings.col.eurPerDevice'),
                value: (d) => d.eurPerDevice,
                render: (d) => formatEur(d.eurPerDevice, lang),
                numeric: true,
              },
              { key: 'n', label: t('savings.col.devices'), value: (d) => d.devices, numeric: true },
            ]}
          />
        }
      />
      <DataTable
        caption={t('savings.rooms.caption', { school: school.name })}
        csvName={`besparing-lokalen-${school.name}`}
        rowKey={(r) => String(r.groupId)}
        rows={school.rooms}
        columns={columns}
        testId="savings-rooms"
      />
    </section>
  );
}
