import type { DeviceClass, UsageResponse, UsageRow } from '@sluimer/shared';
import { useEffect, useMemo, useState } from 'react';
import { ChartCard, type ChartOption } from '../components/Chart.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { PeriodPicker } from '../components/PeriodPicker.js';
import { ErrorBox, Tile } from '../components/Tile.js';
import { asList, get, qs } from '../lib/api.js';
import { type CsvColumn, csvFileName, downloadCsv, toCsv } from '../lib/csv.js';
import { CsvScopeProvider, periodSlug } from '../lib/csvContext.js';
import {
  DEFAULT_TZ,
  formatDay,
  formatEur,
  formatHours,
  formatKg,
  formatKwh,
  formatNumber,
  formatPercent,
  type Lang,
  weekdayNames,
} from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { daysOf, type Period, periodFor } from '../lib/period.js';
import { policyLayers } from '../lib/precedence.js';
import { Link, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import {
  DEFAULT_SCHOOL_HOURS,
  heatmapMatrix,
  heatmapSeries,
  namedBars,
  neverSleeping,
  shareOutsideSchoolHours,
  topByWaste,
  totals,
  trendByDay,
} from '../lib/shaping.js';
import type { DeviceReason, Group, Policy, WasteReason } from '../lib/types.js';
import { groupPaths } from './Groups.js';

const WASTE = '#b4440e';
const AXIS = '#3d4a4f';

type Usage = Record<'day' | 'hourOfWeek' | 'group' | 'deviceClass' | 'device', UsageResponse>;

const USAGE_BY = ['day', 'hourOfWeek', 'group', 'deviceClass', 'device'] as const;

/**
 * The five usage answers the overview needs, each shown as soon as it arrives (a school year for
 * 1,000 devices takes the console seconds for some of them), so tiles and charts fill in one by one.
 */
function useUsage(
  period: Period,
  groupId: number | undefined,
  /** the group whose children the per-group chart shows when no scope is chosen; null = not known yet */
  breakdownGroupId: number | undefined | null,
) {
  const [state, setState] = useState<{ data: Partial<Usage>; error?: unknown; pending: number }>({
    data: {},
    pending: USAGE_BY.length,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    const ac = new AbortController();
    setState({ data: {}, pending: USAGE_BY.length });
    if (breakdownGroupId === null) return;
    for (const groupBy of USAGE_BY) {
      // per group: the level below the scope (the schools of a board, the rooms of a school)
      const gid = groupBy === 'group' ? (groupId ?? breakdownGroupId) : groupId;
      get<UsageResponse>(
        `/api/v1/usage${qs({ from: period.from, to: period.to, groupBy, groupId: gid })}`,
        ac.signal,
      ).then(
        (res) => {
          if (!ac.signal.aborted)
            setState((st) => ({ ...st, data: { ...st.data, [groupBy]: res }, pending: st.pending - 1 }));
        },
        (error: unknown) => {
          if (!ac.signal.aborted)
            setState((st) => ({ ...st, error: st.error ?? error, pending: st.pending - 1 }));
        },
      );
    }
    return () => ac.abort();
  }, [period.from, period.to, groupId, breakdownGroupId, tick]);
  return {
    data: state.data,
    error: state.error,
    loading: state.pending > 0,
    complete: USAGE_BY.every((b) => state.data[b] !== undefined),
    reload: () => setTick((n) => n + 1),
  };
}

export function OverviewPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('overview.title'));
  const [period, setPeriod] = useState<Period>(() => periodFor('thisWeek', Date.now()));
  const [groupId, setGroupId] = useState<number>();
  const groups = useApi<unknown>('/api/v1/groups');
  const groupList = useMemo(() => asList<Group>(groups.data, 'groups'), [groups.data]);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);
  // with no scope chosen and one board at the top, the per-group chart shows its schools
  const roots = groupList.filter((g) => g.parentId == null);
  const breakdownGroupId =
    groups.data === undefined && !groups.error ? null : roots.length === 1 ? roots[0]!.id : undefined;
  const usage = useUsage(period, groupId, breakdownGroupId);
  // school hours for "outside school hours": those of the policy that applies to the chosen school
  // or room (staff can read policies), else the default Monday–Friday 08:00–17:00
  const policies = useApi<unknown>(can.editPolicies(user.role) ? '/api/v1/policies' : null);
  const hoursPolicy = useMemo(() => {
    if (groupId === undefined) return undefined;
    const layer = policyLayers({ groupId }, groupList)[0];
    const p = asList<Policy>(policies.data, 'policies').find((x) => x.id === layer?.policyId);
    return p?.settings.schoolHours ? p : undefined;
  }, [groupId, groupList, policies.data]);
  const schoolHours = hoursPolicy?.settings.schoolHours ?? DEFAULT_SCHOOL_HOURS;
  const d = usage.data;

  const days = useMemo(() => daysOf(period), [period]);
  const trend = useMemo(() => (d.day ? trendByDay(d.day.rows, days) : undefined), [d.day, days]);
  const matrix = useMemo(() => (d.hourOfWeek ? heatmapMatrix(d.hourOfWeek.rows) : undefined), [d.hourOfWeek]);
  const sum = useMemo(() => (d.device ? totals(d.device.rows) : undefined), [d.device]);
  const never = useMemo(() => (d.device ? neverSleeping(d.device.rows) : []), [d.device]);
  const top = useMemo(() => (d.device ? topByWaste(d.device.rows, 10) : []), [d.device]);
  const topReasons = useTopReasons(top);

  const anySettings = USAGE_BY.map((b) => d[b]?.settings).find(Boolean);
  const price = anySettings?.priceEurPerKwh ?? 0.25;
  const grid = anySettings?.gridKgPerKwh ?? 0.27;
  const noGroups = groups.data !== undefined && groupList.length === 0;
  const noDevices = d.device !== undefined && d.device.rows.length === 0;
  const outside = matrix ? shareOutsideSchoolHours(matrix, schoolHours) : undefined;
  const dash = '…';
  // CSV files carry the period and scope in their name and times in the school's zone
  const scopeGroup = groupId === undefined ? undefined : groupList.find((g) => g.id === groupId);
  const timeZone = scopeGroup?.timeZone ?? DEFAULT_TZ;
  const scopeName = scopeGroup ? (paths.get(scopeGroup.id) ?? scopeGroup.name) : t('overview.wholeBoard');
  const csvName = (what: string) =>
    csvFileName(what, { period: periodSlug(period, timeZone), scope: scopeName });

  return (
    <CsvScopeProvider period={period} scope={scopeName} timeZone={timeZone}>
      <main
        id="main"
        className="page overview"
        aria-busy={usage.loading}
        data-from={period.from}
        data-to={period.to}
        data-ready={usage.complete ? 'true' : 'false'}
      >
        <div className="page-head">
          <h1>{t('overview.title')}</h1>
          <div className="page-tools">
            <PeriodPicker value={period} onChange={setPeriod} />
            <label className="scope">
              <span>{t('overview.scope')}</span>
              <select
                value={groupId ?? ''}
                onChange={(e) => setGroupId(e.target.value ? Number(e.target.value) : undefined)}
              >
                <option value="">{t('overview.wholeBoard')}</option>
                {groupList.map((g) => (
                  <option key={g.id} value={g.id}>
                    {paths.get(g.id) ?? g.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        {usage.error !== undefined && (
          <ErrorBox
            message={errorMessage(usage.error, t)}
            onRetry={usage.reload}
            retryLabel={t('common.retry')}
          />
        )}
        {noDevices && (noGroups || groupId === undefined) && (
          <EnrollFirst canEdit={can.editGroups(user.role)} noGroups={noGroups} />
        )}
        {!(noDevices && groupId === undefined) && (
          <>
            <div className="table-tools">
              <button
                type="button"
                className="btn-small"
                disabled={!sum}
                onClick={() =>
                  sum &&
                  downloadCsv(
                    csvName('sluimer-overzicht'),
                    toCsv(
                      [
                        { header: t('col.from') },
                        { header: t('col.to') },
                        { header: t('col.wasteEur'), decimals: 2 },
                        { header: t('col.wasteCo2'), decimals: 2 },
                        { header: t('col.wasteKwh'), decimals: 2 },
                        { header: t('col.energyKwh'), decimals: 2 },
                        { header: t('col.idleHours'), decimals: 1 },
                        { header: t('col.shareOutside'), decimals: 1 },
                        { header: t('col.devicesNeverAsleep'), decimals: 0 },
                        { header: t('col.devices'), decimals: 0 },
                        { header: t('col.price'), decimals: 4 },
                        { header: t('col.grid'), decimals: 3 },
                      ],
                      [
                        [
                          { time: period.from },
                          { time: period.to },
                          sum.wasteEur,
                          sum.wasteCo2eKg,
                          sum.wasteKwh,
                          sum.energyKwh,
                          sum.idleSec / 3600,
                          outside === undefined ? undefined : outside * 100,
                          never.length,
                          d.device?.rows.length,
                          price,
                          grid,
                        ],
                      ],
                      { lang, timeZone },
                    ),
                  )
                }
              >
                {t('common.exportCsv')}
              </button>
            </div>
            <section className="tiles" aria-label={t('overview.title')} data-testid="tiles">
              <Tile
                tone="waste"
                testId="tile-eur"
                label={t('tile.wasteEur')}
                value={sum ? formatEur(sum.wasteEur, lang) : dash}
                explain={t('tile.wasteEur.explain', { price: formatEur(price, lang) })}
              />
              <Tile
                tone="waste"
                testId="tile-co2"
                label={t('tile.wasteCo2')}
                value={sum ? formatKg(sum.wasteCo2eKg, lang) : dash}
                explain={t('tile.wasteCo2.explain', { grid: formatNumber(grid, lang, 3) })}
              />
              <Tile
                testId="tile-kwh"
                label={t('tile.wasteKwh')}
                value={sum ? formatKwh(sum.wasteKwh, lang) : dash}
                sub={sum && `${formatKwh(sum.energyKwh, lang)} ${lang === 'nl' ? 'totaal' : 'total'}`}
                explain={t('tile.wasteKwh.explain')}
              />
              <Tile
                testId="tile-idle"
                label={t('tile.idleHours')}
                value={sum ? formatHours(sum.idleSec, lang) : dash}
                explain={t('tile.idleHours.explain')}
              />
              <Tile
                testId="tile-outside"
                label={t('tile.outside')}
                value={outside !== undefined ? formatPercent(outside, lang) : dash}
                explain={
                  hoursPolicy
                    ? t('tile.outside.explainPolicy', { policy: hoursPolicy.name })
                    : t('tile.outside.explain')
                }
              />
              <Tile
                testId="tile-never"
                label={t('tile.neverSleep')}
                value={d.device ? formatNumber(never.length, lang, 0) : dash}
                sub={
                  d.device && t('tile.neverSleepOf', { total: formatNumber(d.device.rows.length, lang, 0) })
                }
                explain={t('tile.neverSleep.explain')}
              />
            </section>
            <div className="grid-2">
              {trend ? <TrendChart trend={trend} lang={lang} /> : <Pending title={t('chart.trend')} />}
              {matrix ? <Heatmap matrix={matrix} lang={lang} /> : <Pending title={t('chart.heatmap')} />}
              {d.group ? (
                <GroupBars rows={d.group.rows} names={paths} lang={lang} />
              ) : (
                <Pending title={t('chart.byGroup')} />
              )}
              {d.deviceClass ? (
                <ClassBars rows={d.deviceClass.rows} lang={lang} />
              ) : (
                <Pending title={t('chart.byClass')} />
              )}
            </div>
            {d.device && (
              <TopWasters
                rows={top}
                reasons={topReasons}
                paths={paths}
                lang={lang}
                linkable={can.editDevices(user.role)}
              />
            )}
          </>
        )}
      </main>
    </CsvScopeProvider>
  );
}

/** A chart's place while its data is on its way. */
function Pending({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <section className="card chart-card pending" aria-busy="true">
      <h2>{title}</h2>
      <p className="muted">{t('common.loading')}</p>
    </section>
  );
}

function EnrollFirst({ canEdit, noGroups }: { canEdit: boolean; noGroups: boolean }) {
  const { t } = useI18n();
  return (
    <section className="card empty-teach" data-testid="empty-overview">
      <h2>{t('empty.noDevices.title')}</h2>
      <ol className="steps">
        <li className={noGroups ? 'todo' : 'done'}>{t('empty.step1')}</li>
        <li>{t('empty.step2')}</li>
        <li>{t('empty.step3')}</li>
        <li>{t('empty.step4')}</li>
      </ol>
      {!canEdit && <p>{t('empty.askIt')}</p>}
      {canEdit && (
        <Link className="btn-primary" to="/groups">
          {t('empty.noDevices.action')}
        </Link>
      )}
    </section>
  );
}

function useTopReasons(rows: UsageRow[]): Map<string, DeviceReason> {
  const [map, setMap] = useState(new Map<string, DeviceReason>());
  const key = rows.map((r) => r.key).join(',');
  useEffect(() => {
    if (!key) {
      setMap(new Map());
      return;
    }
    const ac = new AbortController();
    get<DeviceReason[]>(`/api/v1/web/device-reasons${qs({ ids: key })}`, ac.signal).then(
      (list) => setMap(new Map(list.map((r) => [String(r.id), r]))),
      () => {},
    );
    return () => ac.abort();
  }, [key]);
  return map;
}

/** The reason in words; blocker names come only for admin and IT (the server leaves them out otherwise). */
export function reasonText(
  r: WasteReason | undefined,
  t: (k: MessageKey, v?: Record<string, string | number>) => string,
  lang: Lang,
): string {
  if (!r) return '';
  switch (r.kind) {
    case 'excluded':
      return t('reason.excluded', { reason: r.detail });
    case 'blocker':
      return t('reason.blocker', {
        name:
          r.detail === r.blockerKind
            ? lang === 'nl'
              ? `Een ${r.blockerKind === 'process' ? 'programma' : r.blockerKind}`
              : `A ${r.blockerKind}`
            : r.detail,
      });
    case 'policy_failed':
      return t('reason.policyFailed', { error: r.detail });
    case 'no_policy':
      return t('reason.noPolicy');
    case 'audit_only':
      return lang === 'nl'
        ? `Beleid meet alleen (auditmodus)${r.detail ? `: ${r.detail}` : ''}`
        : `Policy measures only (audit mode)${r.detail ? `: ${r.detail}` : ''}`;
    case 'policy_applied':
      return lang === 'nl'
        ? `Geen blokkade gemeld; beleid ‘${r.detail}’ is toegepast`
        : `No blocker reported; policy ‘${r.detail}’ is applied`;
    default:
      return t('reason.unknown');
  }
}

/** The weekday name of a local date: `ma` / `Mon`. */
function weekdayOf(date: string, lang: Lang): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return weekdayNames(lang)[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7] ?? '';
}

/** `08:00–09:00`: an hour of the day as a span, so a spreadsheet never reads it as a number. */
function hourLabel(h: number): string {
  return `${String(h).padStart(2, '0')}:00–${String((h + 1) % 24).padStart(2, '0')}:00`;
}

/** Header of the per-group / per-class CSV: the name, then euros, CO2e and kWh (management order). */
function barCsvHeader(nameLabel: string, t: (k: MessageKey) => string): CsvColumn[] {
  return [
    { header: nameLabel },
    { header: t('col.wasteEur'), decimals: 2 },
    { header: t('col.wasteCo2'), decimals: 2 },
    { header: t('col.wasteKwh'), decimals: 2 },
  ];
}

const tooltipBase = {
  confine: true,
  backgroundColor: '#fff',
  borderColor: '#8a9599',
  textStyle: { color: '#1b2428' },
};

/** The waste columns every overview table shows: kWh, euros and kg CO2e, formatted for the language. */
function wasteColumns<T extends { wasteKwh: number; wasteEur: number; wasteCo2eKg: number }>(
  lang: Lang,
  t: (k: MessageKey) => string,
): Column<T>[] {
  return [
    {
      key: 'kwh',
      label: t('col.wasteKwh'),
      numeric: true,
      decimals: 2,
      value: (r) => r.wasteKwh,
      render: (r) => formatNumber(r.wasteKwh, lang, 2),
    },
    {
      key: 'eur',
      label: t('col.wasteEur'),
      numeric: true,
      decimals: 2,
      value: (r) => r.wasteEur,
      render: (r) => formatEur(r.wasteEur, lang),
    },
    {
      key: 'co2',
      label: t('col.wasteCo2'),
      numeric: true,
      decimals: 2,
      value: (r) => r.wasteCo2eKg,
      render: (r) => formatNumber(r.wasteCo2eKg, lang, 2),
    },
  ];
}

function TrendChart({ trend, lang }: { trend: ReturnType<typeof trendByDay>; lang: Lang }) {
  const { t } = useI18n();
  const label = (date: string) => formatDay(Date.parse(`${date}T12:00:00Z`), lang);
  // biome-ignore lint/correctness/useExhaustiveDependencies: label derives from lang
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: {
        ...tooltipBase,
        trigger: 'axis',
        formatter: (p: { dataIndex: number }[]) => {
          const pt = trend[p[0]?.dataIndex ?? 0];
          if (!pt) return '';
          return `${label(pt.date)}<br/>${formatKwh(pt.wasteKwh, lang)}<br/>${formatEur(pt.wasteEur, lang)}<br/>${formatKg(pt.wasteCo2eKg, lang)}`;
        },
      },
      xAxis: {
        type: 'category',
        data: trend.map((p) => label(p.date)),
        axisLabel: { color: AXIS },
        axisLine: { lineStyle: { color: AXIS } },
      },
      yAxis: {
        type: 'value',
        name: 'kWh',
        axisLabel: { color: AXIS, formatter: (v: number) => formatNumber(v, lang, 2) },
      },
      dataZoom: trend.length > 45 ? [{ type: 'inside' }] : [],
      series: [
        {
          type: 'bar',
          name: t('col.wasteKwh'),
          data: trend.map((p) => p.wasteKwh),
          itemStyle: { color: WASTE },
        },
      ],
    }),
    [trend, lang, t],
  );
  return (
    <ChartCard
      testId="chart-trend"
      title={t('chart.trend')}
      explain={t('chart.trend.explain')}
      option={option}
      csv={() => ({
        name: 'sluimer-verspilling-per-dag',
        header: [
          { header: t('col.day') },
          { header: t('col.weekday') },
          { header: t('col.wasteEur'), decimals: 2 },
          { header: t('col.wasteCo2'), decimals: 2 },
          { header: t('col.wasteKwh'), decimals: 2 },
          { header: t('col.energyKwh'), decimals: 2 },
          { header: t('col.idleHours'), decimals: 1 },
        ],
        rows: trend.map((p) => [
          { date: p.date },
          weekdayOf(p.date, lang),
          p.wasteEur,
          p.wasteCo2eKg,
          p.wasteKwh,
          p.energyKwh,
          p.idleSec / 3600,
        ]),
      })}
      table={
        <DataTable
          caption={t('chart.trend')}
          csvName="sluimer-verspilling-per-dag"
          rows={trend}
          rowKey={(r) => r.date}
          columns={[
            {
              key: 'date',
              label: t('col.day'),
              value: (r) => r.date,
              csv: (r) => ({ date: r.date }),
              render: (r) => label(r.date),
            },
            {
              key: 'weekday',
              label: t('col.weekday'),
              value: (r) => r.date,
              render: (r) => weekdayOf(r.date, lang),
              csv: (r) => weekdayOf(r.date, lang),
            },
            ...wasteColumns(lang, t),
          ]}
        />
      }
    />
  );
}

function Heatmap({ matrix, lang }: { matrix: number[][]; lang: Lang }) {
  const { t } = useI18n();
  const days = weekdayNames(lang);
  const { data, max } = useMemo(() => heatmapSeries(matrix), [matrix]);
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      tooltip: {
        ...tooltipBase,
        formatter: (p: { value: [number, number, number] }) =>
          `${days[p.value[1]]} ${String(p.value[0]).padStart(2, '0')}:00–${String(p.value[0] + 1).padStart(2, '0')}:00<br/>${formatKwh(p.value[2], lang)}`,
      },
      xAxis: {
        type: 'category',
        data: Array.from({ length: 24 }, (_, h) => String(h)),
        splitArea: { show: true },
        axisLabel: { color: AXIS },
      },
      yAxis: {
        type: 'category',
        data: days,
        inverse: true,
        splitArea: { show: true },
        axisLabel: { color: AXIS },
      },
      visualMap: {
        min: 0,
        max: max || 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        text: [formatKwh(max, lang), '0'],
        textStyle: { color: AXIS },
        inRange: { color: ['#fbf3e4', '#f2c37c', '#e07b28', '#a33a0b', '#5c1a02'] },
      },
      series: [
        {
          type: 'heatmap',
          name: t('chart.heatmap'),
          data,
          emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } },
        },
      ],
    }),
    [data, max, days, lang, t],
  );
  const rows = matrix.flatMap((hours, d) => hours.map((v, h) => ({ d, h, v })));
  return (
    <ChartCard
      testId="chart-heatmap"
      title={t('chart.heatmap')}
      explain={t('chart.heatmap.explain')}
      option={option}
      height={300}
      csv={() => ({
        name: 'sluimer-verspilling-per-uur-van-de-week',
        header: [
          { header: t('col.weekday') },
          { header: t('col.hour') },
          { header: t('col.wasteKwh'), decimals: 3 },
        ],
        rows: rows.map((r) => [days[r.d], hourLabel(r.h), r.v]),
      })}
      table={
        <DataTable
          caption={t('chart.heatmap')}
          csvName="sluimer-verspilling-per-uur-van-de-week"
          rows={rows}
          rowKey={(r) => `${r.d}-${r.h}`}
          columns={[
            {
              key: 'd',
              label: t('col.weekday'),
              value: (r) => r.d,
              render: (r) => days[r.d],
              csv: (r) => days[r.d],
            },
            {
              key: 'h',
              label: t('col.hour'),
              numeric: true,
              value: (r) => r.h,
              render: (r) => hourLabel(r.h),
              csv: (r) => hourLabel(r.h),
            },
            {
              key: 'v',
              label: t('col.wasteKwh'),
              numeric: true,
              decimals: 3,
              value: (r) => r.v,
              render: (r) => formatNumber(r.v, lang, 3),
            },
          ]}
        />
      }
    />
  );
}

function barOption(
  items: { name: string; wasteKwh: number; wasteEur: number; wasteCo2eKg: number }[],
  lang: Lang,
): ChartOption {
  const rev = [...items].reverse();
  return {
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: { dataIndex: number }[]) => {
        const it = rev[p[0]?.dataIndex ?? 0];
        return it
          ? `${it.name}<br/>${formatKwh(it.wasteKwh, lang)}<br/>${formatEur(it.wasteEur, lang)}<br/>${formatKg(it.wasteCo2eKg, lang)}`
          : '';
      },
    },
    xAxis: {
      type: 'value',
      name: 'kWh',
      axisLabel: { color: AXIS, formatter: (v: number) => formatNumber(v, lang, 2) },
    },
    yAxis: {
      type: 'category',
      data: rev.map((i) => i.name),
      axisLabel: { color: AXIS, width: 150, overflow: 'truncate' },
    },
    series: [{ type: 'bar', data: rev.map((i) => i.wasteKwh), itemStyle: { color: WASTE } }],
  };
}

function barTable(
  items: { key: string; name: string; wasteKwh: number; wasteEur: number; wasteCo2eKg: number }[],
  caption: string,
  csvName: string,
  nameLabel: string,
  lang: Lang,
  t: (k: MessageKey) => string,
) {
  return (
    <DataTable
      caption={caption}
      csvName={csvName}
      rows={items}
      rowKey={(r) => r.key}
      columns={[{ key: 'name', label: nameLabel, value: (r) => r.name }, ...wasteColumns(lang, t)]}
    />
  );
}

function GroupBars({ rows, names, lang }: { rows: UsageRow[]; names: Map<number, string>; lang: Lang }) {
  const { t } = useI18n();
  // bars carry the group's own name (the children of the scope); the table has the full path
  const items = useMemo(
    () =>
      namedBars(rows, (k) => {
        const p = names.get(Number(k));
        return p?.split(' › ').pop();
      }),
    [rows, names],
  );
  const option = useMemo(() => barOption(items, lang), [items, lang]);
  const csvName = 'sluimer-verspilling-per-groep';
  return (
    <ChartCard
      testId="chart-groups"
      title={t('chart.byGroup')}
      explain={t('chart.byGroup.explain')}
      option={option}
      height={Math.max(160, items.length * 28 + 40)}
      isEmpty={items.length === 0}
      empty={t('empty.noData')}
      csv={() => ({
        name: csvName,
        header: barCsvHeader(t('col.group'), t),
        rows: items.map((i) => [names.get(Number(i.key)) ?? i.name, i.wasteEur, i.wasteCo2eKg, i.wasteKwh]),
      })}
      table={barTable(items, t('chart.byGroup'), csvName, t('col.group'), lang, t)}
    />
  );
}

function ClassBars({ rows, lang }: { rows: UsageRow[]; lang: Lang }) {
  const { t } = useI18n();
  const items = useMemo(
    () => namedBars(rows, (k) => t(`class.${k as DeviceClass}` as MessageKey)),
    [rows, t],
  );
  const option = useMemo(() => barOption(items, lang), [items, lang]);
  const csvName = 'sluimer-verspilling-per-soort';
  return (
    <ChartCard
      testId="chart-classes"
      title={t('chart.byClass')}
      explain={t('chart.byClass.explain')}
      option={option}
      height={Math.max(160, items.length * 28 + 40)}
      isEmpty={items.length === 0}
      empty={t('empty.noData')}
      csv={() => ({
        name: csvName,
        header: barCsvHeader(t('col.class'), t),
        rows: items.map((i) => [i.name, i.wasteEur, i.wasteCo2eKg, i.wasteKwh]),
      })}
      table={barTable(items, t('chart.byClass'), csvName, t('col.class'), lang, t)}
    />
  );
}

function TopWasters(props: {
  rows: (UsageRow & { label?: string })[];
  reasons: Map<string, DeviceReason>;
  paths: Map<number, string>;
  lang: Lang;
  linkable: boolean;
}) {
  const { t } = useI18n();
  const { lang } = props;
  const items = props.rows.map((r) => {
    const dv = props.reasons.get(r.key);
    return {
      key: r.key,
      name: dv?.name ?? r.label ?? `#${r.key}`,
      room: dv ? (props.paths.get(dv.groupId) ?? dv.groupPath) : '',
      reason: reasonText(dv?.reason, t, lang),
      wasteKwh: r.wasteKwh,
      wasteEur: r.wasteEur,
      idleSec: r.idleSec,
    };
  });
  return (
    <section className="card" aria-labelledby="top-h" data-testid="top-wasters">
      <header className="card-head">
        <h2 id="top-h">{t('chart.top')}</h2>
      </header>
      <p className="muted small">{t('chart.top.explain')}</p>
      <DataTable
        caption={t('chart.top')}
        csvName="sluimer-grootste-verspillers"
        rows={items}
        rowKey={(r) => r.key}
        empty={t('empty.noData')}
        columns={[
          {
            key: 'name',
            label: t('col.device'),
            value: (r) => r.name,
            render: (r) => (props.linkable ? <Link to={`/devices/${r.key}`}>{r.name}</Link> : r.name),
          },
          { key: 'room', label: t('col.room'), value: (r) => r.room },
          {
            key: 'kwh',
            label: t('col.wasteKwh'),
            numeric: true,
            decimals: 2,
            value: (r) => r.wasteKwh,
            render: (r) => formatNumber(r.wasteKwh, lang, 2),
          },
          {
            key: 'eur',
            decimals: 2,
            label: t('col.wasteEur'),
            numeric: true,
            value: (r) => r.wasteEur,
            render: (r) => formatEur(r.wasteEur, lang),
          },
          {
            key: 'idle',
            label: t('col.idleHours'),
            numeric: true,
            decimals: 1,
            value: (r) => r.idleSec / 3600,
            render: (r) => formatNumber(r.idleSec / 3600, lang, 1),
          },
          { key: 'reason', label: t('col.reason'), value: (r) => r.reason },
        ]}
      />
    </section>
  );
}
