import { type ReactNode, useMemo, useState } from 'react';
import { type CsvCell, downloadCsv, toCsv } from '../lib/csv.js';
import { useCsvFileName, useCsvScope } from '../lib/csvContext.js';
import { useI18n } from '../lib/i18n.js';

export type SortValue = string | number | boolean | null | undefined;

export interface Column<T> {
  key: string;
  label: string;
  /** raw value for sorting, and for the CSV unless `csv` is given */
  value: (row: T) => SortValue;
  /** the CSV cell when it differs from the sort value: words in the UI's language, `{ time }` */
  csv?: (row: T) => CsvCell;
  /** fixed decimals of this numeric column in the CSV */
  decimals?: number;
  /** what the cell shows; defaults to the value */
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  sortable?: boolean;
  /** a column of buttons: its header is read by screen readers only and it stays out of the CSV */
  action?: boolean;
}

export interface SortState {
  key: string;
  dir: 'asc' | 'desc';
}

interface Props<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  caption: string;
  csvName: string;
  /** server-side sorting: the table shows this sort and reports clicks instead of sorting itself */
  sort?: SortState;
  onSort?: (s: SortState) => void;
  /** rows for the CSV when the table shows only a page */
  csvRows?: () => Promise<readonly T[]> | readonly T[];
  empty?: ReactNode;
  initialSort?: SortState;
  testId?: string;
}

/** A sortable table with a caption and a CSV download of exactly its columns. */
export function DataTable<T>(props: Props<T>) {
  const { t, lang } = useI18n();
  const csvScope = useCsvScope();
  const fileName = useCsvFileName();
  const [localSort, setLocalSort] = useState<SortState | undefined>(props.initialSort);
  const sort = props.sort ?? localSort;
  const rows = useMemo(() => {
    if (props.onSort || !sort) return props.rows;
    const col = props.columns.find((c) => c.key === sort.key);
    if (!col) return props.rows;
    const factor = sort.dir === 'asc' ? 1 : -1;
    return [...props.rows].sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * factor;
      return String(va ?? '').localeCompare(String(vb ?? ''), undefined, { numeric: true }) * factor;
    });
  }, [props.rows, props.columns, props.onSort, sort]);

  const clickSort = (key: string) => {
    const next: SortState =
      sort?.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'desc' };
    if (props.onSort) props.onSort(next);
    else setLocalSort(next);
  };

  const exportCsv = async () => {
    const all = props.csvRows ? await props.csvRows() : rows;
    const cols = props.columns.filter((c) => !c.action);
    downloadCsv(
      fileName(props.csvName),
      toCsv(
        cols.map((c) => ({ header: c.label, decimals: c.decimals })),
        all.map((r) => cols.map((c) => (c.csv ? c.csv(r) : c.value(r)))),
        { lang, timeZone: csvScope.timeZone },
      ),
    );
  };

  return (
    <div className="table-wrap" data-testid={props.testId}>
      <div className="table-tools">
        <button type="button" className="btn-small" onClick={exportCsv}>
          {t('common.exportCsv')}
        </button>
      </div>
      <div className="table-scroll">
        <table>
          <caption className="sr-only">{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((c) => {
                const active = sort?.key === c.key;
                const ariaSort = active ? (sort?.dir === 'asc' ? 'ascending' : 'descending') : undefined;
                return (
                  <th key={c.key} scope="col" aria-sort={ariaSort} className={c.numeric ? 'num' : undefined}>
                    {c.action ? (
                      <span className="sr-only">{c.label || t('common.actions')}</span>
                    ) : c.sortable === false ? (
                      c.label
                    ) : (
                      <button type="button" className="sort-btn" onClick={() => clickSort(c.key)}>
                        {c.label}
                        <span aria-hidden="true">{active ? (sort?.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={props.columns.length} className="empty-cell">
                  {props.empty ?? '—'}
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={props.rowKey(r)}>
                  {props.columns.map((c) => (
                    <td key={c.key} className={c.numeric ? 'num' : undefined} data-label={c.label}>
                      {c.render ? c.render(r) : (c.value(r) ?? '')}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
