import type { Group } from '@sluimer/shared';
import { type AnnualReport, type DeviceClass, schoolYearLabel } from '@sluimer/shared';
import { useMemo, useState } from 'react';
import { ErrorBox } from '../components/Tile.js';
import { qs } from '../lib/api.js';
import { type CsvCell, csvFileName, downloadCsv, toCsv } from '../lib/csv.js';
import { formatDate, formatEur, formatNumber, type Lang } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { useTitle } from '../lib/router.js';
import { groupPaths } from './Groups.js';

/** school years offered: the current one and the four before it */
function schoolYears(today: string): string[] {
  const first = Number(schoolYearLabel(today).slice(0, 4));
  return [0, 1, 2, 3, 4].map((i) => `${first - i}-${first - i + 1}`);
}

/** one figure of the report: the label, the value as shown, and the number and unit for the CSV */
interface Figure {
  section: string;
  key: string;
  label: string;
  shown: string;
  value: number | string | null;
  unit: string;
}

function figuresOf(
  r: AnnualReport,
  t: (k: MessageKey, v?: Record<string, string | number>) => string,
  lang: Lang,
) {
  const n = (v: number, d = 1) => formatNumber(v, lang, d);
  const use = r.usePhase;
  const f = r.fleet;
  const worn = f.batteryDistribution
    .filter((b) => ['70-80', '60-70', '<60'].includes(b.bucket))
    .reduce((s, b) => s + b.count, 0);
  const uses: Figure[] = [
    {
      section: 'use',
      key: 'energy-kwh',
      label: t('report.use.energy'),
      shown: `${n(use.energyKwh)} kWh`,
      value: use.energyKwh,
      unit: 'kWh',
    },
    {
      section: 'use',
      key: 'energy-eur',
      label: t('report.use.energy'),
      shown: formatEur(use.energyEur, lang),
      value: use.energyEur,
      unit: 'EUR',
    },
    {
      section: 'use',
      key: 'energy-kg',
      label: t('report.use.energy'),
      shown: `${n(use.energyKg)} kg CO2e`,
      value: use.energyKg,
      unit: 'kg CO2e',
    },
    {
      section: 'use',
      key: 'waste-kwh',
      label: t('report.use.waste'),
      shown: `${n(use.wasteKwh)} kWh`,
      value: use.wasteKwh,
      unit: 'kWh',
    },
    {
      section: 'use',
      key: 'waste-eur',
      label: t('report.use.waste'),
      shown: formatEur(use.wasteEur, lang),
      value: use.wasteEur,
      unit: 'EUR',
    },
    {
      section: 'use',
      key: 'waste-kg',
      label: t('report.use.waste'),
      shown: `${n(use.wasteKg)} kg CO2e`,
      value: use.wasteKg,
      unit: 'kg CO2e',
    },
  ];
  const fleet: Figure[] = [
    {
      section: 'fleet',
      key: 'devices',
      label: t('report.fleet.devices'),
      shown: n(f.devices, 0),
      value: f.devices,
      unit: '',
    },
    {
      section: 'fleet',
      key: 'mean-age',
      label: t('report.fleet.meanAge'),
      shown: f.meanAgeYears === null ? '—' : t('life.years', { n: n(f.meanAgeYears) }),
      value: f.meanAgeYears,
      unit: lang === 'nl' ? 'jaar' : 'years',
    },
    {
      section: 'fleet',
      key: 'batteries-worn',
      label: t('report.fleet.batteries'),
      shown: n(worn, 0),
      value: worn,
      unit: '',
    },
    {
      section: 'fleet',
      key: 'battery-swaps',
      label: t('report.fleet.swaps'),
      shown: n(f.batterySwapIds.length, 0),
      value: f.batterySwapIds.length,
      unit: '',
    },
    {
      section: 'fleet',
      key: 'replace',
      label: t('report.fleet.replace'),
      shown: n(f.advice.replace, 0),
      value: f.advice.replace,
      unit: '',
    },
  ];
  const embodied: Figure[] = [
    {
      section: 'embodied',
      key: 'embodied-per-year',
      label: t('report.embodied.perYear'),
      shown: `${n(f.extension.embodiedKgPerYear, 0)} kg CO2e`,
      value: f.extension.embodiedKgPerYear,
      unit: 'kg CO2e',
    },
    {
      section: 'embodied',
      key: 'embodied-avoided',
      label: t('report.embodied.avoided'),
      shown: `${n(f.extension.avoidedKgPerYear, 0)} kg CO2e`,
      value: f.extension.avoidedKgPerYear,
      unit: 'kg CO2e',
    },
  ];
  return { uses, fleet, embodied };
}

/**
 * The board's annual report (Duurzaamheidsverslag): a page made for printing (print CSS in
 * styles.css gives a clean PDF from any browser) and a CSV of the same figures.
 */
export function AnnualReportPage() {
  const { t, lang } = useI18n();
  useTitle(t('report.title'));
  const today = new Date().toISOString().slice(0, 10);
  const years = useMemo(() => schoolYears(today), [today]);
  const [year, setYear] = useState(years[0] ?? schoolYearLabel(today));
  const [groupId, setGroupId] = useState<number | undefined>(undefined);
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);
  const res = useApi<AnnualReport>(`/api/v1/reports/annual${qs({ groupId, schoolYear: year })}`);
  const r = res.data;
  const scopeName = r?.scope.groupId ? (paths.get(r.scope.groupId) ?? r.scope.name) : t('report.wholeBoard');
  const figs = r ? figuresOf(r, t, lang) : undefined;
  const className = (c: DeviceClass) => t(`class.${c}` as MessageKey);

  const csv = () => {
    if (!r || !figs) return;
    const rows: CsvCell[][] = [...figs.uses, ...figs.fleet, ...figs.embodied].map((f) => [
      f.section,
      f.label,
      typeof f.value === 'number' ? Math.round(f.value * 100) / 100 : f.value,
      f.unit,
    ]);
    rows.push(['assumptions', 'priceEurPerKwh', r.assumptions.priceEurPerKwh, 'EUR/kWh']);
    rows.push(['assumptions', 'gridKgPerKwh', r.assumptions.gridKgPerKwh, 'kg CO2e/kWh']);
    for (const c of r.assumptions.classes) {
      rows.push([
        'assumptions',
        `${className(c.deviceClass)}: ${t('report.col.embodied')}`,
        c.embodiedKg,
        'kg CO2e',
      ]);
      rows.push([
        'assumptions',
        `${className(c.deviceClass)}: ${t('report.col.lifetime')}`,
        c.lifetimeYears,
        '',
      ]);
    }
    const text = toCsv(
      [
        { header: lang === 'nl' ? 'Onderdeel' : 'Section' },
        { header: t('report.col.what') },
        { header: lang === 'nl' ? 'Waarde' : 'Value', decimals: 2 },
        { header: lang === 'nl' ? 'Eenheid' : 'Unit' },
      ],
      rows,
      { lang },
    );
    downloadCsv(
      csvFileName('sluimer-duurzaamheidsverslag', { period: r.schoolYear, scope: scopeName }),
      text,
    );
  };

  return (
    <main
      id="main"
      className="page report-page"
      data-testid="annual-report"
      data-ready={r ? 'true' : 'false'}
    >
      <div className="page-head">
        <h1>
          {t('report.title')} {r ? `${scopeName} ${r.schoolYear}` : ''}
        </h1>
        <div className="page-tools no-print">
          <label className="scope">
            <span>{t('report.scope')}</span>
            <select
              value={groupId ?? ''}
              onChange={(e) => setGroupId(e.target.value ? Number(e.target.value) : undefined)}
            >
              <option value="">{t('report.wholeBoard')}</option>
              {groupList
                .filter((g) => g.kind === 'board' || g.kind === 'school')
                .map((g) => (
                  <option key={g.id} value={g.id}>
                    {paths.get(g.id) ?? g.name}
                  </option>
                ))}
            </select>
          </label>
          <label className="scope">
            <span>{t('report.schoolYear')}</span>
            <select value={year} onChange={(e) => setYear(e.target.value)}>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn-small" onClick={() => window.print()} disabled={!r}>
            {t('report.print')}
          </button>
          <button type="button" className="btn-small" onClick={csv} disabled={!r}>
            {t('report.csv')}
          </button>
        </div>
      </div>
      {res.error !== undefined && (
        <ErrorBox message={errorMessage(res.error, t)} onRetry={res.reload} retryLabel={t('common.retry')} />
      )}
      {r && figs && (
        <>
          <p data-testid="report-period">
            {t('report.period', { year: r.schoolYear, from: r.fromDate, to: r.toDate })}
            {r.partialUntil ? ` ${t('report.partial', { date: r.partialUntil })}` : ''}
          </p>
          <section className="card report-section" aria-labelledby="rep-use">
            <h2 id="rep-use">{t('report.use.title')}</h2>
            <p className="muted">{t('report.use.text')}</p>
            <table className="report-table">
              <thead>
                <tr>
                  <th scope="col">{t('report.col.what')}</th>
                  <th scope="col" className="num">
                    {t('report.col.kwh')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.eur')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.kg')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[figs.uses.slice(0, 3), figs.uses.slice(3)].map((row) => (
                  <tr key={row[0]?.key}>
                    <th scope="row">{row[0]?.label}</th>
                    {row.map((f) => (
                      <td key={f.key} className="num" data-testid={`fig-${f.key}`}>
                        {f.shown}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="card report-section" aria-labelledby="rep-savings">
            <h2 id="rep-savings">{t('report.savings.title')}</h2>
            <p>{t('report.savings.none')}</p>
          </section>
          <section className="card report-section" aria-labelledby="rep-fleet">
            <h2 id="rep-fleet">{t('report.fleet.title')}</h2>
            <FigureList figures={figs.fleet} />
          </section>
          <section className="card report-section" aria-labelledby="rep-embodied">
            <h2 id="rep-embodied">{t('report.embodied.title')}</h2>
            <FigureList figures={figs.embodied} />
            <p data-testid="report-extension">
              {t('life.extension.sentence', {
                from: formatNumber(r.fleet.extension.fromYears, lang, 1),
                to: formatNumber(r.fleet.extension.toYears, lang, 1),
                t: formatNumber(r.fleet.extension.avoidedKgPerYear / 1000, lang, 2),
              })}
            </p>
          </section>
          <section className="card report-section" aria-labelledby="rep-assumptions">
            <h2 id="rep-assumptions">{t('report.assumptions.title')}</h2>
            <p>
              {t('report.assumptions.energy', {
                price: formatEur(r.assumptions.priceEurPerKwh, lang),
                grid: formatNumber(r.assumptions.gridKgPerKwh, lang, 3),
              })}
            </p>
            <p>
              {t('report.assumptions.rules', {
                worn: r.assumptions.batteryWornPct,
                extra: r.assumptions.extraYears,
                margin: r.assumptions.serviceLifeMarginYears,
              })}
            </p>
            <table className="report-table">
              <thead>
                <tr>
                  <th scope="col">{t('report.col.class')}</th>
                  <th scope="col" className="num">
                    {t('report.col.embodied')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.range')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.lifetime')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.newEur')}
                  </th>
                  <th scope="col" className="num">
                    {t('report.col.batteryEur')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.assumptions.classes.map((c) => (
                  <tr key={c.deviceClass}>
                    <th scope="row">{className(c.deviceClass)}</th>
                    <td className="num">{formatNumber(c.embodiedKg, lang, 0)}</td>
                    <td className="num">
                      {formatNumber(c.rangeKg[0], lang, 0)}–{formatNumber(c.rangeKg[1], lang, 0)}
                    </td>
                    <td className="num">{formatNumber(c.lifetimeYears, lang, 0)}</td>
                    <td className="num">{formatNumber(c.figures.newDeviceEur, lang, 0)}</td>
                    <td className="num">
                      {c.figures.batteryEur === null ? '—' : formatNumber(c.figures.batteryEur, lang, 0)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">{t('report.assumptions.sources')}</p>
          </section>
          <p className="muted">{t('report.generated', { date: formatDate(r.generatedAt, lang) })}</p>
        </>
      )}
    </main>
  );
}

function FigureList({ figures }: { figures: Figure[] }) {
  return (
    <dl className="facts report-facts">
      {figures.map((f) => (
        <div key={f.key} className="fact-row">
          <dt>{f.label}</dt>
          <dd data-testid={`fig-${f.key}`}>{f.shown}</dd>
        </div>
      ))}
    </dl>
  );
}
