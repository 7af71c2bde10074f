import type {
  DeviceClass,
  DeviceReason,
  Group,
  GroupDetail,
  Policy,
  UsageResponse,
  UsageRow,
  WasteReason,
  WebDeviceList,
} from '@sluimer/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ChartCard, type ChartOption } from '../components/Chart.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { PeriodPicker } from '../components/PeriodPicker.js';
import { ScopeSelect } from '../components/ScopeSelect.js';
import { ErrorBox, Tile } from '../components/Tile.js';
import { get, qs } from '../lib/api.js';
import { type CsvColumn, csvFileName, downloadCsv, toCsv } from '../lib/csv.js';
import { CsvScopeProvider, periodSlug } from '../lib/csvContext.js';
import {
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
import { useThrottledLiveRefresh } from '../lib/liveRefresh.js';
import type { MessageKey } from '../lib/messages.js';
import {
  formatMetric,
  hoursReached,
  METRICS,
  type Metric,
  metricUnit,
  metricValue,
  summariseBars,
  summariseHeatmap,
  summariseTrend,
  type Waste,
} from '../lib/metric.js';
import { type OverviewView, overviewSearch, parseOverviewView } from '../lib/overviewUrl.js';
import { customPeriod, daysOf, type Period } from '../lib/period.js';
import { policyLayers } from '../lib/precedence.js';
import { Link, navigate, useLocation, useTitle } from '../lib/router.js';
import { scopeTimeZone } from '../lib/scopeTimeZone.js';
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
import { causesText, useWasteCauses } from '../lib/wasteCauses.js';
import { groupPaths } from './Groups.js';

const WASTE = '#b4440e';
const METRIC_FIELD = { eur: 'wasteEur', kwh: 'wasteKwh', co2: 'wasteCo2eKg' } as const;
const METRIC_COL = { eur: 'col.wasteEur', kwh: 'col.wasteKwh', co2: 'col.wasteCo2' } as const;
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
  // bumped by every full load, so a live refresh that is still under way for an older period or
  // scope never overwrites the new answers
  const generation = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    const ac = new AbortController();
    generation.current++;
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
  /**
   * Live: re-reads the figures in place (what is shown stays until the new answer is in); a period
   * that runs until now is extended to now, so reports that arrived since the page opened count.
   */
  const inFlight = useRef(0);
  const refresh = () => {
    // a school year of a large board takes the console a while: never stack refreshes
    if (breakdownGroupId === null || inFlight.current > 0) return;
    const gen = generation.current;
    const to =
      period.kind === 'thisWeek' || period.kind === 'schoolYear'
        ? Math.max(period.to, Date.now())
        : period.to;
    for (const groupBy of USAGE_BY) {
      const gid = groupBy === 'group' ? (groupId ?? breakdownGroupId) : groupId;
      inFlight.current++;
      get<UsageResponse>(`/api/v1/usage${qs({ from: period.from, to, groupBy, groupId: gid })}`)
        .then(
          (res) => {
            if (generation.current === gen)
              setState((st) => ({ ...st, data: { ...st.data, [groupBy]: res } }));
          },
          () => undefined, // a failed live refresh keeps what is shown; the next event tries again
        )
        .finally(() => inFlight.current--);
    }
  };
  return {
    data: state.data,
    error: state.error,
    loading: state.pending > 0,
    complete: USAGE_BY.every((b) => state.data[b] !== undefined),
    reload: () => setTick((n) => n + 1),
    refresh,
  };
}

export function OverviewPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('overview.title'));
  // period, scope and unit live in the address: a reload keeps them and a link shares the view
  const { path, search } = useLocation();
  const searchKey = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: searchKey stands for search
  const view = useMemo(() => parseOverviewView(search, Date.now()), [searchKey]);
  const { period, groupId, metric } = view;
  const setView = (next: Partial<OverviewView>) =>
    navigate(`${path}${overviewSearch({ ...view, ...next })}`, true);
  const setPeriod = (p: Period) => setView({ period: p });
  const setGroupId = (g: number | undefined) => setView({ groupId: g });
  const setMetric = (m: Metric) => setView({ metric: m });
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  // the chosen group's detail carries the zone it inherits (a room has none of its own)
  const scopeDetail = useApi<GroupDetail>(groupId === undefined ? null : `/api/v1/groups/${groupId}`);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);
  // with no scope chosen and one board at the top, the per-group chart shows its schools
  const roots = groupList.filter((g) => g.parentId == null);
  const breakdownGroupId =
    groups.data === undefined && !groups.error ? null : roots.length === 1 ? roots[0]!.id : undefined;
  const usage = useUsage(period, groupId, breakdownGroupId);
  const deviceCount = useApi<WebDeviceList>(
    can.editDevices(user.role) ? '/api/v1/web/devices?limit=1' : null,
  );
  // live: new devices, enrolments and reports update the figures without a reload; a new device
  // on an empty overview shows within a second, later changes at most every 15 s (the figures are
  // totals over days; re-reading them more often would only load the console)
  const empty = deviceCount.data?.total === 0 || usage.data.device?.rows.length === 0;
  useThrottledLiveRefresh(
    ['device', 'enrolled', 'report'],
    () => {
      groups.reload();
      deviceCount.reload();
      usage.refresh();
    },
    { minGapMs: empty ? 1_000 : 15_000 },
  );
  // school hours for "outside school hours": those of the policy that applies to the chosen school
  // or room (staff can read policies), else the default Monday–Friday 08:00–17:00
  const policies = useApi<Policy[]>(can.editPolicies(user.role) ? '/api/v1/policies' : null);
  const hoursPolicy = useMemo(() => {
    if (groupId === undefined) return undefined;
    const layer = policyLayers({ groupId }, groupList)[0];
    const p = (policies.data ?? []).find((x) => x.id === layer?.policyId);
    return p?.settings.schoolHours ? p : undefined;
  }, [groupId, groupList, policies.data]);
  const schoolHours = hoursPolicy?.settings.schoolHours ?? DEFAULT_SCHOOL_HOURS;
  const d = usage.data;

  const days = useMemo(() => daysOf(period), [period]);
  const trend = useMemo(() => (d.day ? trendByDay(d.day.rows, days) : undefined), [d.day, days]);
  const matrix = useMemo(() => (d.hourOfWeek ? heatmapMatrix(d.hourOfWeek.rows) : undefined), [d.hourOfWeek]);
  const metricMatrix = useMemo(
    () => (d.hourOfWeek ? heatmapMatrix(d.hourOfWeek.rows, METRIC_FIELD[metric]) : undefined),
    [d.hourOfWeek, metric],
  );
  const reached = useMemo(() => hoursReached(period), [period]);
  const sum = useMemo(() => (d.device ? totals(d.device.rows) : undefined), [d.device]);
  const never = useMemo(() => (d.device ? neverSleeping(d.device.rows) : []), [d.device]);
  const top = useMemo(() => (d.device ? topByWaste(d.device.rows, 10) : []), [d.device]);
  const topReasons = useTopReasons(top);
  const topCauses = useWasteCauses(
    top.map((r) => r.key),
    period.from,
    period.to,
  );

  const anySettings = USAGE_BY.map((b) => d[b]?.settings).find(Boolean);
  const price = anySettings?.priceEurPerKwh ?? 0.25;
  const grid = anySettings?.gridKgPerKwh ?? 0.27;
  const noGroups = groups.data !== undefined && groupList.length === 0;
  // staff know how many devices are enrolled; without measurements yet the overview shows its
  // (empty) figures rather than the enrolment steps. Viewers go by the measurements alone.
  const noDevices =
    deviceCount.data !== undefined
      ? deviceCount.data.total === 0
      : d.device !== undefined && d.device.rows.length === 0;
  const outside = matrix ? shareOutsideSchoolHours(matrix, schoolHours) : undefined;
  const dash = '…';
  // CSV files carry the period and scope in their name and times in the school's zone
  const scopeGroup = groupId === undefined ? undefined : groupList.find((g) => g.id === groupId);
  const timeZone = scopeTimeZone(groupId, groupList, scopeDetail.data);
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
            <PeriodPicker key={`${period.kind}-${period.from}`} value={period} onChange={setPeriod} />
            <MetricSwitch value={metric} onChange={setMetric} />
            <ScopeSelect
              label={t('overview.scope')}
              allLabel={t('overview.wholeBoard')}
              value={groupId}
              onChange={setGroupId}
              groups={groupList}
              paths={paths}
            />
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
              {trend ? (
                <TrendChart
                  trend={trend}
                  lang={lang}
                  metric={metric}
                  onDay={(date) => setPeriod(customPeriod(date, date, Date.now()))}
                />
              ) : (
                <Pending title={t('chart.trend')} />
              )}
              {metricMatrix ? (
                <Heatmap matrix={metricMatrix} reached={reached} lang={lang} metric={metric} />
              ) : (
                <Pending title={t('chart.heatmap')} />
              )}
              {d.group ? (
                <GroupBars
                  rows={d.group.rows}
                  names={paths}
                  lang={lang}
                  metric={metric}
                  onGroup={(id) => setGroupId(id)}
                />
              ) : (
                <Pending title={t('chart.byGroup')} />
              )}
              {d.deviceClass ? (
                <ClassBars
                  rows={d.deviceClass.rows}
                  lang={lang}
                  metric={metric}
                  onClass={
                    can.editDevices(user.role)
                      ? (c) => navigate(`/devices${qs({ deviceClass: c, groupId })}`)
                      : undefined
                  }
                />
              ) : (
                <Pending title={t('chart.byClass')} />
              )}
            </div>
            {d.device && (
              <TopWasters
                rows={top}
                reasons={topReasons}
                causes={topCauses}
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
        ? `Energiebeleid meet alleen en stelt niets in${r.detail ? `: ${r.detail}` : ''}`
        : `Policy measures only (audit mode)${r.detail ? `: ${r.detail}` : ''}`;
    case 'policy_applied':
      return lang === 'nl'
        ? `Niets gemeld dat het apparaat wakker houdt; energiebeleid ‘${r.detail}’ is toegepast`
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
      render: (r) => formatNumber(r.wasteCo2eKg, lang, 2, 2),
    },
    {
      key: 'kwh',
      label: t('col.wasteKwh'),
      numeric: true,
      decimals: 2,
      value: (r) => r.wasteKwh,
      render: (r) => formatNumber(r.wasteKwh, lang, 2, 2),
    },
  ];
}

function TrendChart({
  trend,
  lang,
  metric,
  onDay,
}: {
  trend: ReturnType<typeof trendByDay>;
  lang: Lang;
  metric: Metric;
  onDay: (date: string) => void;
}) {
  const { t } = useI18n();
  const label = (date: string) => formatDay(Date.parse(`${date}T12:00:00Z`), lang, 'UTC');
  // biome-ignore lint/correctness/useExhaustiveDependencies: label derives from lang
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      tooltip: {
        ...tooltipBase,
        trigger: 'axis',
        formatter: (p: { dataIndex: number }[]) => {
          const pt = trend[p[0]?.dataIndex ?? 0];
          if (!pt) return '';
          return `${label(pt.date)}<br/>${formatEur(pt.wasteEur, lang)}<br/>${formatKg(pt.wasteCo2eKg, lang)}<br/>${formatKwh(pt.wasteKwh, lang)}`;
        },
      },
      xAxis: {
        type: 'category',
        data: trend.map((p) => label(p.date)),
        // on a phone the day names would run together: hide the ones that overlap
        axisLabel: { color: AXIS, hideOverlap: true },
        axisLine: { lineStyle: { color: AXIS } },
      },
      yAxis: {
        type: 'value',
        name: metricUnit(metric),
        axisLabel: { color: AXIS, hideOverlap: true, formatter: (v: number) => formatNumber(v, lang, 2) },
      },
      dataZoom: trend.length > 45 ? [{ type: 'inside' }] : [],
      series: [
        {
          type: 'bar',
          name: t(METRIC_COL[metric]),
          data: trend.map((p) => metricValue(p, metric)),
          itemStyle: { color: WASTE },
          cursor: 'pointer',
        },
      ],
    }),
    [trend, lang, t, metric],
  );
  const title = t('chart.trend');
  return (
    <ChartCard
      testId="chart-trend"
      title={title}
      explain={t('chart.trend.explain')}
      summary={`${summariseTrend(title, trend, metric, lang)} ${t('chart.clickDay')}`}
      option={option}
      onItemClick={(i) => {
        const p = trend[i];
        if (p) onDay(p.date);
      }}
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
          caption={title}
          csvName="sluimer-verspilling-per-dag"
          rows={trend}
          rowKey={(r) => r.date}
          columns={[
            {
              key: 'date',
              label: t('col.day'),
              value: (r) => r.date,
              csv: (r) => ({ date: r.date }),
              render: (r) => (
                <button type="button" className="link-btn" onClick={() => onDay(r.date)}>
                  {label(r.date)}
                </button>
              ),
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

function Heatmap({
  matrix,
  reached,
  lang,
  metric,
}: {
  matrix: number[][];
  reached: boolean[][];
  lang: Lang;
  metric: Metric;
}) {
  const { t } = useI18n();
  const days = weekdayNames(lang);
  const noData = t('state.unknown').toLowerCase();
  // hours this period has not reached yet have no data: shown empty and named so, never as 0
  const shown = useMemo(
    () => matrix.map((hours, d) => hours.map((v, h) => (reached[d]?.[h] ? v : null))),
    [matrix, reached],
  );
  const { data, max } = useMemo(() => {
    const s = heatmapSeries(matrix);
    return {
      max: s.max,
      data: s.data.map(([h, d, v]): [number, number, number | '-'] => [h, d, reached[d]?.[h] ? v : '-']),
    };
  }, [matrix, reached]);
  const fmt = (v: number) => formatMetric(v, metric, lang);
  // biome-ignore lint/correctness/useExhaustiveDependencies: fmt derives from metric and lang
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      tooltip: {
        ...tooltipBase,
        formatter: (p: { value: [number, number, number | '-'] }) =>
          `${days[p.value[1]]} ${hourLabel(p.value[0])}<br/>${p.value[2] === '-' ? noData : fmt(p.value[2])}`,
      },
      xAxis: {
        type: 'category',
        data: Array.from({ length: 24 }, (_, h) => String(h)),
        splitArea: { show: true },
        axisLabel: { color: AXIS, hideOverlap: true },
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
        text: [fmt(max), '0'],
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
    [data, max, days, lang, t, metric],
  );
  const rows = shown.flatMap((hours, d) => hours.map((v, h) => ({ d, h, v })));
  const decimals = metric === 'eur' ? 2 : 3;
  const title = t('chart.heatmap');
  return (
    <ChartCard
      testId="chart-heatmap"
      title={title}
      explain={t('chart.heatmap.explain')}
      summary={summariseHeatmap(title, shown, days, fmt, lang)}
      option={option}
      height={300}
      csv={() => ({
        name: 'sluimer-verspilling-per-uur-van-de-week',
        header: [
          { header: t('col.weekday') },
          { header: t('col.hour') },
          { header: t(METRIC_COL[metric]), decimals },
        ],
        rows: rows.map((r) => [days[r.d], hourLabel(r.h), r.v ?? noData]),
      })}
      table={
        <DataTable
          caption={title}
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
              label: t(METRIC_COL[metric]),
              numeric: true,
              decimals,
              value: (r) => r.v ?? -1,
              csv: (r) => r.v ?? noData,
              render: (r) => (r.v === null ? noData : formatNumber(r.v, lang, decimals, decimals)),
            },
          ]}
        />
      }
    />
  );
}

function barOption(
  items: ({ name: string } & Waste)[],
  lang: Lang,
  metric: Metric,
  narrow: boolean,
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
          ? `${it.name}<br/>${formatEur(it.wasteEur, lang)}<br/>${formatKg(it.wasteCo2eKg, lang)}<br/>${formatKwh(it.wasteKwh, lang)}`
          : '';
      },
    },
    xAxis: {
      type: 'value',
      name: metricUnit(metric),
      axisLabel: { color: AXIS, hideOverlap: true, formatter: (v: number) => formatNumber(v, lang, 2) },
    },
    yAxis: {
      type: 'category',
      data: rev.map((i) => i.name),
      // long names wrap onto a second line instead of ending in "…"; the tooltip has the full name
      axisLabel: { color: AXIS, width: narrow ? 110 : 170, overflow: 'break', lineHeight: 14 },
    },
    series: [
      {
        type: 'bar',
        data: rev.map((i) => metricValue(i, metric)),
        itemStyle: { color: WASTE },
        cursor: 'pointer',
      },
    ],
  };
}

/** True on a phone-width screen, where axis labels get less room. */
function useNarrow(): boolean {
  const q = '(max-width: 600px)';
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(q).matches);
  useEffect(() => {
    if (typeof matchMedia === 'undefined') return;
    const m = matchMedia(q);
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

function barTable(
  items: { key: string; name: string; wasteKwh: number; wasteEur: number; wasteCo2eKg: number }[],
  caption: string,
  csvName: string,
  nameLabel: string,
  lang: Lang,
  t: (k: MessageKey) => string,
  drill?: (r: { key: string }) => (() => void) | undefined,
) {
  return (
    <DataTable
      caption={caption}
      csvName={csvName}
      rows={items}
      rowKey={(r) => r.key}
      columns={[
        {
          key: 'name',
          label: nameLabel,
          value: (r) => r.name,
          render: (r) => {
            const go = drill?.(r);
            return go ? (
              <button type="button" className="link-btn" onClick={go}>
                {r.name}
              </button>
            ) : (
              r.name
            );
          },
        },
        ...wasteColumns(lang, t),
      ]}
    />
  );
}

function GroupBars({
  rows,
  names,
  lang,
  metric,
  onGroup,
}: {
  rows: UsageRow[];
  names: Map<number, string>;
  lang: Lang;
  metric: Metric;
  onGroup: (id: number) => void;
}) {
  const { t } = useI18n();
  const narrow = useNarrow();
  // bars carry the group's own name (the children of the scope); the table has the full path
  const items = useMemo(
    () =>
      namedBars(rows, (k) => {
        const p = names.get(Number(k));
        return p?.split(' › ').pop();
      }).sort((a, b) => metricValue(b, metric) - metricValue(a, metric)),
    [rows, names, metric],
  );
  const option = useMemo(() => barOption(items, lang, metric, narrow), [items, lang, metric, narrow]);
  const csvName = 'sluimer-verspilling-per-groep';
  const title = t('chart.byGroup');
  const groupOf = (key: string) => (/^\d+$/.test(key) ? Number(key) : undefined);
  return (
    <ChartCard
      testId="chart-groups"
      title={title}
      explain={t('chart.byGroup.explain')}
      summary={`${summariseBars(title, items, metric, lang)} ${t('chart.clickGroup')}`}
      option={option}
      onItemClick={(i) => {
        const id = groupOf([...items].reverse()[i]?.key ?? '');
        if (id !== undefined) onGroup(id);
      }}
      height={Math.max(160, items.length * (narrow ? 40 : 30) + 40)}
      isEmpty={items.length === 0}
      empty={t('empty.noData')}
      csv={() => ({
        name: csvName,
        header: barCsvHeader(t('col.group'), t),
        rows: items.map((i) => [names.get(Number(i.key)) ?? i.name, i.wasteEur, i.wasteCo2eKg, i.wasteKwh]),
      })}
      table={barTable(items, title, csvName, t('col.group'), lang, t, (r) => {
        const id = groupOf(r.key);
        return id === undefined ? undefined : () => onGroup(id);
      })}
    />
  );
}

function ClassBars({
  rows,
  lang,
  metric,
  onClass,
}: {
  rows: UsageRow[];
  lang: Lang;
  metric: Metric;
  onClass?: (deviceClass: string) => void;
}) {
  const { t } = useI18n();
  const narrow = useNarrow();
  const items = useMemo(
    () =>
      namedBars(rows, (k) => t(`class.${k as DeviceClass}` as MessageKey)).sort(
        (a, b) => metricValue(b, metric) - metricValue(a, metric),
      ),
    [rows, t, metric],
  );
  const option = useMemo(() => barOption(items, lang, metric, narrow), [items, lang, metric, narrow]);
  const csvName = 'sluimer-verspilling-per-soort';
  const title = t('chart.byClass');
  return (
    <ChartCard
      testId="chart-classes"
      title={title}
      explain={t('chart.byClass.explain')}
      summary={`${summariseBars(title, items, metric, lang)}${onClass ? ` ${t('chart.clickClass')}` : ''}`}
      option={option}
      onItemClick={
        onClass
          ? (i) => {
              const it = [...items].reverse()[i];
              if (it) onClass(it.key);
            }
          : undefined
      }
      height={Math.max(160, items.length * (narrow ? 40 : 30) + 40)}
      isEmpty={items.length === 0}
      empty={t('empty.noData')}
      csv={() => ({
        name: csvName,
        header: barCsvHeader(t('col.class'), t),
        rows: items.map((i) => [i.name, i.wasteEur, i.wasteCo2eKg, i.wasteKwh]),
      })}
      table={barTable(items, title, csvName, t('col.class'), lang, t, (r) =>
        onClass ? () => onClass(r.key) : undefined,
      )}
    />
  );
}

/** Euro, kWh or kg CO2e for the charts; euros first (what a school leader reads). */
function MetricSwitch({ value, onChange }: { value: Metric; onChange: (m: Metric) => void }) {
  const { t } = useI18n();
  return (
    <fieldset className="period metric" data-testid="metric-switch">
      <legend className="sr-only">{t('metric.label')}</legend>
      <div className="seg">
        {METRICS.map((m) => (
          <button key={m} type="button" aria-pressed={value === m} onClick={() => onChange(m)}>
            {t(`metric.${m}` as MessageKey)}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function TopWasters(props: {
  rows: (UsageRow & { label?: string })[];
  reasons: Map<string, DeviceReason>;
  causes: ReturnType<typeof useWasteCauses>;
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
      // the recorded cause split (replayed under the recommended policy); today's reason until it arrives
      reason: causesText(props.causes?.byDevice.get(r.key), t, lang) || reasonText(dv?.reason, t, lang),
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
          { key: 'reason', label: t('col.whyWasted'), value: (r) => r.reason },
        ]}
      />
      {props.causes && props.causes.steps.length > 0 && (
        <>
          <h3>{t('cause.nextSteps')}</h3>
          <ul data-testid="next-steps">
            {props.causes.steps.slice(0, 5).map((c) => (
              <li key={`${c.cause}:${c.detail ?? ''}`}>{c.nextStep[lang]}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
