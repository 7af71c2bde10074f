import type {
  AgeBucket,
  ApiResponse,
  BatteryBucket,
  FleetDeviceRow,
  FleetLifecycleResponse,
  Group,
  PurchaseRowError,
} from '@sluimer/shared';
import { type FormEvent, useMemo, useState } from 'react';
import { ChartCard, type ChartOption } from '../components/Chart.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { ScopeSelect } from '../components/ScopeSelect.js';
import { ErrorBox, Tile } from '../components/Tile.js';
import { ApiError, api, qs } from '../lib/api.js';
import { formatEur, formatNumber, formatPercent } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { Link, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { groupPaths } from './Groups.js';

const BAR = '#2f5f98';
const WORN = '#b45309';

/** The fleet view "Levensduur": which devices to keep, which need only a battery, what longer use avoids. */
export function LifecyclePage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('life.title'));
  const [groupId, setGroupId] = useState<number | undefined>(undefined);
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);
  const res = useApi<FleetLifecycleResponse>(`/api/v1/lifecycle${qs({ groupId })}`);
  const data = res.data;
  const f = data?.fleet;
  const unknownLabel = t('life.bucket.unknown');
  const bucketLabel = (b: string) => (b === 'unknown' ? unknownLabel : b);
  const ageOption = useMemo<ChartOption>(
    () => ({
      grid: { left: 40, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: f?.ageDistribution.map((b) => (b.bucket === 'unknown' ? unknownLabel : b.bucket)) ?? [],
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          data: f?.ageDistribution.map((b) => ({
            value: b.count,
            itemStyle: { color: b.bucket === '6-7' || b.bucket === '7+' ? WORN : BAR },
          })),
        },
      ],
    }),
    [f, unknownLabel],
  );
  const batteryOption = useMemo<ChartOption>(
    () => ({
      grid: { left: 40, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: f?.batteryDistribution.map((b) => (b.bucket === 'unknown' ? unknownLabel : b.bucket)) ?? [],
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          data: f?.batteryDistribution.map((b) => ({
            value: b.count,
            itemStyle: { color: ['70-80', '60-70', '<60'].includes(b.bucket) ? WORN : BAR },
          })),
        },
      ],
    }),
    [f, unknownLabel],
  );
  const deviceColumns: Column<FleetDeviceRow>[] = [
    {
      key: 'name',
      label: t('life.col.device'),
      value: (r) => r.name,
      render: (r) => (can.editDevices(user.role) ? <Link to={`/devices/${r.id}`}>{r.name}</Link> : r.name),
    },
    { key: 'group', label: t('col.group'), value: (r) => paths.get(r.groupId) ?? '' },
    {
      key: 'class',
      label: t('life.col.class'),
      value: (r) => t(`class.${r.deviceClass}` as MessageKey),
    },
    {
      key: 'age',
      label: t('life.col.age'),
      value: (r) => r.ageYears,
      numeric: true,
      decimals: 1,
      render: (r) => (r.ageYears === null ? '—' : formatNumber(r.ageYears, lang, 1)),
    },
    {
      key: 'health',
      label: t('life.col.health'),
      value: (r) => r.batteryHealthPct,
      numeric: true,
      decimals: 1,
      render: (r) => (r.batteryHealthPct === null ? '—' : formatPercent(r.batteryHealthPct / 100, lang)),
    },
    { key: 'below80', label: t('life.col.below80'), value: (r) => r.below80 ?? '' },
    {
      key: 'advice',
      label: t('life.col.advice'),
      value: (r) => t(`life.advice.${r.advice}` as MessageKey),
      render: (r) => (
        <span title={t(`life.rule.${r.rule}` as MessageKey)}>
          {t(`life.advice.${r.advice}` as MessageKey)}
        </span>
      ),
    },
  ];
  const ext = f?.extension;
  const wornBatteries =
    f?.batteryDistribution
      .filter((b) => ['70-80', '60-70', '<60'].includes(b.bucket))
      .reduce((s, b) => s + b.count, 0) ?? 0;
  const batteries = f?.batteryDistribution.reduce((s, b) => s + b.count, 0) ?? 0;
  return (
    <main
      id="main"
      className="page lifecycle-page"
      data-testid="lifecycle-page"
      data-ready={data ? 'true' : 'false'}
    >
      <div className="page-head">
        <h1>{t('life.title')}</h1>
        <div className="page-tools">
          <ScopeSelect
            label={t('life.scope')}
            allLabel={t('report.wholeBoard')}
            value={groupId}
            onChange={setGroupId}
            groups={groupList}
            paths={paths}
          />
        </div>
      </div>
      <p className="lead">{t('life.intro')}</p>
      {res.error !== undefined && (
        <ErrorBox message={errorMessage(res.error, t)} onRetry={res.reload} retryLabel={t('common.retry')} />
      )}
      {f && ext && data && (
        <>
          <div className="tiles">
            <Tile
              label={t('life.tile.devices')}
              value={formatNumber(f.devices, lang, 0)}
              explain={t('life.tile.devices.explain')}
              testId="life-tile-devices"
            />
            <Tile
              label={t('life.tile.meanAge')}
              value={
                f.meanAgeYears === null ? '—' : t('life.years', { n: formatNumber(f.meanAgeYears, lang, 1) })
              }
              explain={t('life.tile.meanAge.explain')}
              testId="life-tile-age"
            />
            <Tile
              label={t('life.tile.swaps')}
              value={formatNumber(f.batterySwapIds.length, lang, 0)}
              explain={t('life.tile.swaps.explain')}
              testId="life-tile-swaps"
            />
            <Tile
              label={t('life.tile.extension')}
              value={t('life.tPerYear', { t: formatNumber(ext.avoidedKgPerYear / 1000, lang, 2) })}
              explain={t('life.tile.extension.explain')}
              testId="life-tile-extension"
            />
          </div>
          <section className="card levers" data-testid="life-levers">
            <p data-testid="life-extension">
              <strong>
                {t('life.extension.sentence', {
                  from: formatNumber(ext.fromYears, lang, 1),
                  to: formatNumber(ext.toYears, lang, 1),
                  t: formatNumber(ext.avoidedKgPerYear / 1000, lang, 2),
                })}
              </strong>
            </p>
            <p data-testid="life-use-phase">
              {t('life.usePhase.sentence', {
                kg: formatNumber(data.usePhase.wasteKg, lang, 1),
                eur: formatEur(data.usePhase.wasteEur, lang),
              })}
            </p>
            <p className="muted" data-testid="life-age-sources">
              {t('life.ageSources', {
                purchase: data.ageSources.purchase,
                bios: data.ageSources.bios,
                first: data.ageSources['first-seen'],
              })}
            </p>
          </section>
          <div className="grid-2">
            <ChartCard
              testId="life-chart-age"
              title={t('life.chart.age')}
              explain={t('life.chart.age.explain')}
              summary={t('life.chart.age.summary', {
                n: f.devices,
                mean: f.meanAgeYears === null ? '—' : formatNumber(f.meanAgeYears, lang, 1),
              })}
              option={ageOption}
              isEmpty={f.devices === 0}
              empty={t('life.attention.none')}
              table={
                <DataTable<{ bucket: AgeBucket | 'unknown'; count: number }>
                  caption={t('life.chart.age')}
                  csvName="sluimer-leeftijd"
                  rows={f.ageDistribution}
                  rowKey={(r) => r.bucket}
                  columns={[
                    { key: 'bucket', label: t('life.col.years.bucket'), value: (r) => bucketLabel(r.bucket) },
                    { key: 'count', label: t('life.col.count'), value: (r) => r.count, numeric: true },
                  ]}
                />
              }
            />
            <ChartCard
              testId="life-chart-battery"
              title={t('life.chart.battery')}
              explain={t('life.chart.battery.explain')}
              summary={t('life.chart.battery.summary', { n: batteries, worn: wornBatteries })}
              option={batteryOption}
              isEmpty={batteries === 0}
              empty={t('life.swaps.none')}
              table={
                <DataTable<{ bucket: BatteryBucket | 'unknown'; count: number }>
                  caption={t('life.chart.battery')}
                  csvName="sluimer-batterijen"
                  rows={f.batteryDistribution}
                  rowKey={(r) => r.bucket}
                  columns={[
                    {
                      key: 'bucket',
                      label: t('life.col.health.bucket'),
                      value: (r) => (r.bucket === 'unknown' ? bucketLabel(r.bucket) : `${r.bucket} %`),
                    },
                    { key: 'count', label: t('life.col.count'), value: (r) => r.count, numeric: true },
                  ]}
                />
              }
            />
          </div>
          <section className="card" aria-labelledby="swaps-h" data-testid="life-swaps">
            <h2 id="swaps-h">{t('life.swaps.title')}</h2>
            {data.batterySwaps.length ? (
              <>
                <p data-testid="life-swaps-sum">
                  {t('life.swaps.sum', {
                    n: data.batterySwaps.length,
                    eur: formatEur(f.batterySwap.eur, lang),
                    kg: formatNumber(f.batterySwap.kgCo2e, lang, 0),
                    replEur: formatEur(f.batterySwap.replaceEur, lang),
                    replKg: formatNumber(f.batterySwap.replaceKgCo2e, lang, 0),
                  })}
                </p>
                <DataTable
                  caption={t('life.swaps.title')}
                  csvName="sluimer-batterij-vervangen"
                  rows={data.batterySwaps}
                  rowKey={(r) => String(r.id)}
                  columns={deviceColumns}
                />
              </>
            ) : (
              <p className="empty">{t('life.swaps.none')}</p>
            )}
          </section>
          <section className="card" aria-labelledby="attention-h" data-testid="life-attention">
            <h2 id="attention-h">{t('life.attention.title')}</h2>
            {data.attention.length ? (
              <DataTable
                caption={t('life.attention.title')}
                csvName="sluimer-advies-per-apparaat"
                rows={data.attention}
                rowKey={(r) => String(r.id)}
                columns={deviceColumns}
              />
            ) : (
              <p className="empty">{t('life.attention.none')}</p>
            )}
          </section>
        </>
      )}
      {can.editDevices(user.role) && <PurchaseImport onImported={res.reload} />}
    </main>
  );
}

/** The purchase CSV upload: check first (dry run), then import; every wrong line is listed. */
function PurchaseImport({ onImported }: { onImported: () => void }) {
  const { t, lang } = useI18n();
  const [csv, setCsv] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string; errors?: PurchaseRowError[] } | null>(
    null,
  );
  const send = async (dryRun: boolean) => {
    if (csv === null) return;
    setBusy(true);
    try {
      const r = await api<ApiResponse<'POST /api/v1/lifecycle/purchases'>>(
        'POST',
        '/api/v1/lifecycle/purchases',
        {
          csv,
          dryRun,
        },
      );
      setStatus({
        ok: true,
        text: dryRun
          ? t('life.import.checked', { n: r.rows.length })
          : t('life.import.done', { n: r.imported }),
      });
      if (!dryRun) onImported();
    } catch (e) {
      const details =
        e instanceof ApiError
          ? (e.details as { errors?: PurchaseRowError[]; errorCount?: number })
          : undefined;
      if (details?.errors) {
        setStatus({
          ok: false,
          text: t('life.import.errors', { n: details.errorCount ?? details.errors.length }),
          errors: details.errors,
        });
      } else setStatus({ ok: false, text: errorMessage(e, t) });
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send(false);
  };
  return (
    <section className="card" aria-labelledby="import-h" data-testid="purchase-import">
      <h2 id="import-h">{t('life.import.title')}</h2>
      <p className="muted">{t('life.import.help')}</p>
      <form onSubmit={onSubmit} className="import-form">
        <label>
          {t('life.import.file')}{' '}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setStatus(null);
              setCsv(file ? await file.text() : null);
            }}
          />
        </label>
        <button
          type="button"
          className="btn-small"
          disabled={csv === null || busy}
          onClick={() => void send(true)}
        >
          {t('life.import.check')}
        </button>
        <button type="submit" className="btn" disabled={csv === null || busy}>
          {t('life.import.do')}
        </button>
      </form>
      {status && (
        <div
          role={status.ok ? 'status' : 'alert'}
          className={status.ok ? 'ok-box' : 'error-box'}
          data-testid="import-status"
        >
          <p>{status.text}</p>
          {status.errors && (
            <ul>
              {status.errors.map((er) => (
                <li key={`${er.line}-${er.code}-${er.message}`}>
                  {lang === 'nl' ? er.message : er.messageEn}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
