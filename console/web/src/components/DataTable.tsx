import { type ReactNode, useMemo, useState } from 'react';
import { type CsvCell, downloadCsv, toCsv } from '../lib/csv.js';
import { useI18n } from '../lib/i18n.js';

export interface Column<T> {
  key: string;
  label: string;
  /** raw value for sorting and CSV */
  value: (row: T) => CsvCell;
  /** what the cell shows; defaults to the value */
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  sortable?: boolean;
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
  const { t } = useI18n();
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
    downloadCsv(
      props.csvName,
      toCsv(
        props.columns.map((c) => c.label),
        all.map((r) => props.columns.map((c) => c.value(r))),
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
                    {c.sortable === false ? (
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
