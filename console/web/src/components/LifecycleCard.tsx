import type { AdviceKind, DeviceLifecycle, LifecycleOption } from '@sluimer/shared';
import { useMemo } from 'react';
import { formatEur, formatNumber, formatPercent } from '../lib/format.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { type ChartOption, EChart } from './Chart.js';
import { DataTable } from './DataTable.js';

/**
 * One device's lifecycle (issue 11): age and where it comes from, battery health and its monthly
 * trend with the projection, embodied CO2e over the expected lifetime, and the advice with every
 * option's € and kg CO2e side by side.
 */
export function LifecycleCard({ life, hasBattery }: { life: DeviceLifecycle; hasBattery: boolean }) {
  const { t, lang } = useI18n();
  const trend = life.batteryTrend;
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 40, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${formatNumber(Number(v), lang, 1)} %` },
      xAxis: { type: 'category', data: trend.map((r) => r.month) },
      yAxis: {
        type: 'value',
        min: (v: { min: number }) => Math.max(0, Math.floor(v.min / 10) * 10 - 10),
        max: 100,
      },
      series: [
        {
          type: 'line',
          data: trend.map((r) => r.healthPct),
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed', color: '#b45309' },
            data: [{ yAxis: 80 }, { yAxis: 60 }],
          },
        },
      ],
    }),
    [trend, lang],
  );
  const ageKey: MessageKey | undefined = life.age
    ? life.age.source === 'purchase'
      ? 'device.age.purchase'
      : life.age.source === 'bios'
        ? 'device.age.bios'
        : 'device.age.firstSeen'
    : undefined;
  const outlook =
    life.batteryOutlook === 'projected' && life.batteryProjection
      ? t('life.outlook.projected', {
          slope: formatNumber(life.batteryProjection.slopePctPerMonth, lang, 2),
          m80: life.batteryProjection.below80 ?? '—',
          m60: life.batteryProjection.below60 ?? '—',
        })
      : life.batteryOutlook === 'no-wear'
        ? t('life.outlook.noWear')
        : t('life.outlook.tooFew');
  const advice = life.advice;
  const adviceText = (kind: AdviceKind, parts?: string[]) =>
    t(`life.advice.${kind}` as MessageKey) +
    (parts?.length ? ` (${parts.map((p) => t(`life.part.${p}` as MessageKey)).join(', ')})` : '');
  return (
    <section className="card lifecycle-card" aria-labelledby="life-h" data-testid="lifecycle-card">
      <h2 id="life-h">{t('life.card.title')}</h2>
      <dl className="facts">
        <dt>{t('life.age')}</dt>
        <dd data-testid="life-age">
          {life.age && ageKey
            ? t(ageKey, { years: formatNumber(life.age.years, lang, 1), since: life.age.since })
            : t('life.age.unknown')}
        </dd>
        {life.purchase && (
          <>
            <dt>{t('life.purchase')}</dt>
            <dd data-testid="life-purchase">
              {t('life.purchase.value', {
                date: life.purchase.purchaseDate,
                price:
                  life.purchase.priceEur !== null
                    ? t('life.purchase.price', { price: formatEur(life.purchase.priceEur, lang) })
                    : '',
                warranty: life.purchase.warrantyEnd
                  ? t('life.purchase.warranty', { date: life.purchase.warrantyEnd })
                  : '',
              })}
            </dd>
          </>
        )}
        <dt>{t('life.battery')}</dt>
        <dd data-testid="life-battery">
          {!hasBattery
            ? t('life.battery.none')
            : life.batteryHealthPct !== null
              ? t('life.battery.health', { pct: formatPercent(life.batteryHealthPct / 100, lang) })
              : t('common.unknown')}
        </dd>
        {hasBattery && life.cycleCount !== null && (
          <>
            <dt>{t('life.cycles')}</dt>
            <dd data-testid="life-cycles">{formatNumber(life.cycleCount, lang, 0)}</dd>
          </>
        )}
        {hasBattery && (
          <>
            <dt>{t('life.outlook')}</dt>
            <dd data-testid="life-outlook">{outlook}</dd>
          </>
        )}
        {life.embodied && (
          <>
            <dt>{t('life.embodied')}</dt>
            <dd data-testid="life-embodied">
              {t('life.embodied.value', {
                kg: formatNumber(life.embodied.kg, lang, 0),
                min: formatNumber(life.embodied.range[0], lang, 0),
                max: formatNumber(life.embodied.range[1], lang, 0),
                perYear: formatNumber(life.embodied.kgPerYear, lang, 1),
                years: formatNumber(life.embodied.lifetimeYears, lang, 0),
              })}
            </dd>
          </>
        )}
        {advice && (
          <>
            <dt>{t('life.advice')}</dt>
            <dd data-testid="life-advice" data-advice={advice.kind}>
              <strong>{adviceText(advice.kind, advice.parts)}</strong>.{' '}
              {t(`life.rule.${advice.rule}` as MessageKey)}
            </dd>
          </>
        )}
      </dl>
      {hasBattery && trend.length > 0 && (
        <>
          <h3>{t('life.trend.title')}</h3>
          <EChart
            option={option}
            height={180}
            label={t('life.trend.summary', {
              n: trend.length,
              pct: formatPercent((trend.at(-1)?.healthPct ?? 0) / 100, lang),
            })}
          />
        </>
      )}
      {advice && (
        <div data-testid="life-options">
          <DataTable<LifecycleOption>
            caption={t('life.options')}
            csvName="sluimer-opties-levensduur"
            rows={advice.options}
            rowKey={(o) => o.kind}
            columns={[
              {
                key: 'option',
                label: t('life.col.option'),
                value: (o) => adviceText(o.kind, o.parts),
                render: (o) =>
                  o.kind === advice.kind ? (
                    <strong>{adviceText(o.kind, o.parts)}</strong>
                  ) : (
                    adviceText(o.kind, o.parts)
                  ),
              },
              {
                key: 'eur',
                label: t('life.col.eur'),
                value: (o) => o.eur,
                numeric: true,
                decimals: 2,
                render: (o) => formatEur(o.eur, lang),
              },
              {
                key: 'kg',
                label: t('life.col.kg'),
                value: (o) => o.kgCo2e,
                numeric: true,
                render: (o) => formatNumber(o.kgCo2e, lang, 0),
              },
              {
                key: 'years',
                label: t('life.col.years'),
                value: (o) => o.extraYears,
                numeric: true,
              },
              {
                key: 'kgPerYear',
                label: t('life.col.kgPerYear'),
                value: (o) => o.kgPerYear,
                numeric: true,
                decimals: 1,
                render: (o) => formatNumber(o.kgPerYear, lang, 1),
              },
            ]}
          />
        </div>
      )}
    </section>
  );
}
