import type { Group } from '@sluimer/shared';
import { type AnnualReport, type DeviceClass, type OptionFigureKey, schoolYearLabel } from '@sluimer/shared';
import { useMemo, useState } from 'react';
import { ScopeSelect } from '../components/ScopeSelect.js';
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

type Translate = (k: MessageKey, v?: Record<string, string | number>) => string;

/** one row of a kWh / € / kg CO2e table: three figures under one label */
function kwhEurKg(
  section: string,
  key: string,
  label: string,
  v: { kwh: number; eur: number; kg: number },
  lang: Lang,
): Figure[] {
  return [
    {
      section,
      key: `${key}-kwh`,
      label,
      shown: `${formatNumber(v.kwh, lang, 1)} kWh`,
      value: v.kwh,
      unit: 'kWh',
    },
    { section, key: `${key}-eur`, label, shown: formatEur(v.eur, lang), value: v.eur, unit: 'EUR' },
    {
      section,
      key: `${key}-kg`,
      label,
      shown: `${formatNumber(v.kg, lang, 1)} kg CO2e`,
      value: v.kg,
      unit: 'kg CO2e',
    },
  ];
}

/** a count or another plain figure */
function plain(section: string, key: string, label: string, value: number | null, shown: string, unit = '') {
  return { section, key, label, shown, value, unit };
}

function figuresOf(r: AnnualReport, t: Translate, lang: Lang) {
  const n = (v: number, d = 1) => formatNumber(v, lang, d);
  const use = r.usePhase;
  const f = r.fleet;
  const sv = r.savings;
  const worn = f.batteryDistribution
    .filter((b) => ['70-80', '60-70', '<60'].includes(b.bucket))
    .reduce((s, b) => s + b.count, 0);
  const uses = [
    kwhEurKg(
      'use',
      'energy',
      t('report.use.energy'),
      { kwh: use.energyKwh, eur: use.energyEur, kg: use.energyKg },
      lang,
    ),
    kwhEurKg(
      'use',
      'waste',
      t('report.use.waste'),
      { kwh: use.wasteKwh, eur: use.wasteEur, kg: use.wasteKg },
      lang,
    ),
  ];
  const saved = kwhEurKg(
    'savings',
    'saved',
    t('report.savings.avoided'),
    { kwh: sv.avoidedKwh, eur: sv.avoidedEur, kg: sv.avoidedKg },
    lang,
  );
  const savingsBasis: Figure[] = [
    plain(
      'savings',
      'savings-days-before',
      t('report.savings.daysBefore'),
      sv.deviceDaysBefore,
      n(sv.deviceDaysBefore, 0),
    ),
    plain(
      'savings',
      'savings-days-after',
      t('report.savings.daysAfter'),
      sv.deviceDaysAfter,
      n(sv.deviceDaysAfter, 0),
    ),
    plain(
      'savings',
      'savings-changes',
      t('report.savings.changes'),
      sv.changes.length,
      n(sv.changes.length, 0),
    ),
  ];
  const fleet: Figure[] = [
    plain('fleet', 'devices', t('report.fleet.devices'), f.devices, n(f.devices, 0)),
    plain(
      'fleet',
      'mean-age',
      t('report.fleet.meanAge'),
      f.meanAgeYears,
      f.meanAgeYears === null ? '—' : t('life.years', { n: n(f.meanAgeYears) }),
      lang === 'nl' ? 'jaar' : 'years',
    ),
    plain('fleet', 'batteries-worn', t('report.fleet.batteries'), worn, n(worn, 0)),
    plain(
      'fleet',
      'battery-swaps',
      t('report.fleet.swaps'),
      f.batterySwapIds.length,
      n(f.batterySwapIds.length, 0),
    ),
    plain('fleet', 'replace', t('report.fleet.replace'), f.advice.replace, n(f.advice.replace, 0)),
  ];
  const embodied: Figure[] = [
    plain(
      'embodied',
      'embodied-per-year',
      t('report.embodied.perYear'),
      f.extension.embodiedKgPerYear,
      `${n(f.extension.embodiedKgPerYear, 0)} kg CO2e`,
      'kg CO2e',
    ),
    plain(
      'embodied',
      'embodied-avoided',
      t('report.embodied.avoided'),
      f.extension.avoidedKgPerYear,
      `${n(f.extension.avoidedKgPerYear, 0)} kg CO2e`,
      'kg CO2e',
    ),
  ];
  return { uses, saved, savingsBasis, fleet, embodied };
}

/** the changes counted, one line per policy and date with the rooms that changed to it */
function changeGroups(changes: AnnualReport['savings']['changes']) {
  const out = new Map<string, { policyName: string | null; date: string; rooms: string[] }>();
  for (const c of changes) {
    const key = `${c.date} ${c.policyName ?? ''}`;
    const g = out.get(key) ?? { policyName: c.policyName, date: c.date, rooms: [] };
    g.rooms.push(c.groupName);
    out.set(key, g);
  }
  return [...out.values()];
}

/** the option columns of the assumptions table: € and kg CO2e of each part and of a new device */
const OPTION_COLUMNS = [
  { label: 'report.col.new', eur: 'newDeviceEur', kg: null },
  { label: 'report.col.battery', eur: 'batteryEur', kg: 'batteryKg' },
  { label: 'report.col.memory', eur: 'memoryEur', kg: 'memoryKg' },
  { label: 'report.col.ssd', eur: 'ssdEur', kg: 'ssdKg' },
  { label: 'report.col.refurbish', eur: 'refurbishEur', kg: 'refurbishKg' },
] as const satisfies readonly { label: MessageKey; eur: OptionFigureKey; kg: OptionFigureKey | null }[];

type ClassAssumptions = AnnualReport['assumptions']['classes'][number];

/**
 * € and kg CO2e of one option of a class ("€ 90", "5 kg"), "*" after a figure an admin changed;
 * null for a part the class does not take
 */
function optionCell(
  c: ClassAssumptions,
  col: (typeof OPTION_COLUMNS)[number],
  lang: Lang,
): { eur: string; kg: string } | null {
  const eur = c.figures[col.eur];
  const kg = col.kg === null ? c.embodiedKg : c.figures[col.kg];
  if (eur === null || kg === null) return null;
  const mark = (k: OptionFigureKey | null) => (k !== null && c.changed.includes(k) ? '*' : '');
  return {
    eur: `€ ${formatNumber(eur, lang, 0)}${mark(col.eur)}`,
    kg: `${formatNumber(kg, lang, 0)} kg${mark(col.kg)}`,
  };
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
    const all = [...figs.uses.flat(), ...figs.saved, ...figs.savingsBasis, ...figs.fleet, ...figs.embodied];
    const rows: CsvCell[][] = all.map((f) => [
      f.section,
      f.label,
      typeof f.value === 'number' ? Math.round(f.value * 100) / 100 : f.value,
      f.unit,
    ]);
    if (r.savings.note) rows.push(['savings', r.savings.note[lang], null, '']);
    const a = r.assumptions;
    rows.push(['assumptions', 'priceEurPerKwh', a.priceEurPerKwh, 'EUR/kWh']);
    rows.push(['assumptions', 'gridKgPerKwh', a.gridKgPerKwh, 'kg CO2e/kWh']);
    rows.push(['assumptions', 'savingsBeforeDays', a.savingsBeforeDays, lang === 'nl' ? 'dagen' : 'days']);
    rows.push(['assumptions', 'savingsMinDeviceDays', a.savingsMinDeviceDays, '']);
    for (const c of a.classes) {
      const cls = className(c.deviceClass);
      rows.push(['assumptions', `${cls}: ${t('report.col.embodied')}`, c.embodiedKg, 'kg CO2e']);
      rows.push(['assumptions', `${cls}: ${t('report.col.lifetime')}`, c.lifetimeYears, '']);
      for (const col of OPTION_COLUMNS) {
        const eur = c.figures[col.eur];
        if (eur !== null) rows.push(['assumptions', `${cls}: ${t(col.label)} (${col.eur})`, eur, 'EUR']);
        const kg = col.kg === null ? null : c.figures[col.kg];
        if (col.kg !== null && kg !== null)
          rows.push(['assumptions', `${cls}: ${t(col.label)} (${col.kg})`, kg, 'kg CO2e']);
      }
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
          <ScopeSelect
            label={t('report.scope')}
            allLabel={t('report.wholeBoard')}
            value={groupId}
            onChange={setGroupId}
            groups={groupList.filter((g) => g.kind === 'board' || g.kind === 'school')}
            paths={paths}
          />
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
            <KwhEurKgTable rows={figs.uses} />
          </section>
          <section className="card report-section" aria-labelledby="rep-savings" data-testid="report-savings">
            <h2 id="rep-savings">{t('report.savings.title')}</h2>
            <p className="muted">{t('report.savings.text')}</p>
            <KwhEurKgTable rows={[figs.saved]} />
            <FigureList figures={figs.savingsBasis} />
            {r.savings.note && (
              <p className="note" data-testid="report-savings-note" data-confidence={r.savings.confidence}>
                {r.savings.note[lang]}
              </p>
            )}
            {r.savings.avoidedKwh < 0 && <p className="muted">{t('report.savings.negative')}</p>}
            {r.savings.changes.length > 0 && (
              <ul className="report-changes" data-testid="report-savings-changes">
                {changeGroups(r.savings.changes).map((g) => (
                  <li key={`${g.policyName ?? ''} ${g.date}`}>
                    {t('report.savings.change', {
                      policy: g.policyName ?? t('report.savings.noPolicy'),
                      date: g.date,
                      rooms: g.rooms.join(', '),
                    })}
                  </li>
                ))}
              </ul>
            )}
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
            <p>
              {t('report.assumptions.savings', {
                days: r.assumptions.savingsBeforeDays,
                min: r.assumptions.savingsMinDeviceDays,
              })}
            </p>
            <table className="report-table">
              <thead>
                <tr>
                  <th scope="col">{t('report.col.class')}</th>
                  <NumHeaders
                    labels={[t('report.col.embodied'), t('report.col.range'), t('report.col.lifetime')]}
                  />
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
                  </tr>
                ))}
              </tbody>
            </table>
            <p>{t('report.assumptions.figures')}</p>
            {/* on a phone each class stacks as a card, every figure under its column's name */}
            <div className="table-scroll">
              <table className="report-table" data-testid="report-assumptions-options">
                <thead>
                  <tr>
                    <th scope="col">{t('report.col.class')}</th>
                    <NumHeaders labels={OPTION_COLUMNS.map((col) => t(col.label))} />
                  </tr>
                </thead>
                <tbody>
                  {r.assumptions.classes.map((c) => (
                    <tr key={c.deviceClass} data-testid={`assumption-${c.deviceClass}`}>
                      <th scope="row">{className(c.deviceClass)}</th>
                      {OPTION_COLUMNS.map((col) => {
                        const cell = optionCell(c, col, lang);
                        return (
                          <td key={col.eur} className="num" data-label={t(col.label)}>
                            {cell ? (
                              <>
                                <span className="fig-line">{cell.eur}</span>{' '}
                                <span className="fig-line">{cell.kg}</span>
                              </>
                            ) : (
                              '—'
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {r.assumptions.classes.some((c) => c.changed.length > 0) && (
              <p className="muted">{t('report.assumptions.changed')}</p>
            )}
            <p className="muted">{t('report.assumptions.sources')}</p>
          </section>
          <p className="muted">{t('report.generated', { date: formatDate(r.generatedAt, lang) })}</p>
        </>
      )}
    </main>
  );
}

/** right-aligned column headers after the first */
function NumHeaders({ labels }: { labels: string[] }) {
  return (
    <>
      {labels.map((l) => (
        <th key={l} scope="col" className="num">
          {l}
        </th>
      ))}
    </>
  );
}

/** a table of rows of three figures: kWh, euros, kg CO2e */
function KwhEurKgTable({ rows }: { rows: Figure[][] }) {
  const { t } = useI18n();
  return (
    <table className="report-table">
      <thead>
        <tr>
          <th scope="col">{t('report.col.what')}</th>
          <NumHeaders labels={[t('report.col.kwh'), t('report.col.eur'), t('report.col.kg')]} />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
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
