import { BarChart, CustomChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { type CsvCell, type CsvColumn, downloadCsv, toCsv } from '../lib/csv.js';
import { useCsvFileName, useCsvScope } from '../lib/csvContext.js';
import { useI18n } from '../lib/i18n.js';
import { Explain } from './Explain.js';

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  CustomChart,
  GridComponent,
  TooltipComponent,
  VisualMapComponent,
  LegendComponent,
  MarkLineComponent,
  AriaComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * A bare echarts canvas that follows its container's size. `label` is the chart's accessible name: a
 * summary in the UI's language; echarts' own aria text ("This is a chart with type…", raw values)
 * is replaced by it. `onItemClick` gets the data index of a clicked bar (drill-down).
 */
export function EChart({
  option,
  height,
  label,
  onItemClick,
}: {
  option: ChartOption;
  height: number;
  label: string;
  onItemClick?: (dataIndex: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onItemClick);
  click.current = onItemClick;
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => {
      if (typeof p.dataIndex === 'number') click.current?.(p.dataIndex);
    });
    const ro = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => c.resize());
    ro?.observe(ref.current);
    return () => {
      ro?.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        aria: { enabled: true, label: { enabled: true, description: label }, decal: { show: false } },
        ...option,
      },
      true,
    );
    // echarts writes the label onto the container; keep ours in case it did not
    ref.current?.setAttribute('aria-label', label);
  }, [option, label]);
  return <div ref={ref} className="echart" style={{ height }} role="img" aria-label={label} />;
}

/**
 * A titled chart card: the one-sentence explanation, a keyboard-reachable switch to a table with
 * the same data (the accessible alternative) and a CSV download (inside the table).
 */
export function ChartCard(props: {
  title: string;
  explain: string;
  option: ChartOption;
  height?: number;
  table: ReactNode;
  empty?: ReactNode;
  isEmpty?: boolean;
  testId?: string;
  className?: string;
  /** the chart's accessible name: what it shows in one or two sentences, in the UI's language */
  summary?: string;
  /** a bar was clicked (drill-down); the chart says so in its hint */
  onItemClick?: (dataIndex: number) => void;
  /** the chart's data as CSV (the table view has its own download) */
  csv?: () => { name: string; header: CsvColumn[]; rows: CsvCell[][] };
}) {
  const { t, lang } = useI18n();
  const csvScope = useCsvScope();
  const fileName = useCsvFileName();
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  return (
    <section
      className={`card chart-card ${props.className ?? ''}`}
      aria-labelledby={headingId}
      data-testid={props.testId}
    >
      <header className="card-head">
        <h2 id={headingId}>{props.title}</h2>
        <Explain text={props.explain} label={props.title} />
        <button
          type="button"
          className="btn-small"
          aria-pressed={asTable}
          onClick={() => setAsTable((v) => !v)}
        >
          {asTable ? t('common.showChart') : t('common.showTable')}
        </button>
      </header>
      {props.isEmpty ? (
        <p className="empty">{props.empty}</p>
      ) : asTable ? (
        props.table
      ) : (
        <>
          <EChart
            option={props.option}
            height={props.height ?? 260}
            label={props.summary ?? `${props.title}. ${props.explain}`}
            onItemClick={props.onItemClick}
          />
          {props.csv && (
            <div className="table-tools">
              <button
                type="button"
                className="btn-small"
                onClick={() => {
                  const c = props.csv!();
                  downloadCsv(
                    fileName(c.name),
                    toCsv(c.header, c.rows, { lang, timeZone: csvScope.timeZone }),
                  );
                }}
              >
                {t('common.exportCsv')}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
