import {
  DEVICE_CLASSES,
  type DeviceViewState,
  type Group,
  POLICY_STATUS_NAMES,
  type UsageResponse,
  type WebDevice,
  type WebDeviceList,
} from '@sluimer/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { type Column, DataTable, type SortState } from '../components/DataTable.js';
import { ErrorBox } from '../components/Tile.js';
import { get, qs } from '../lib/api.js';
import { formatAgo, formatEur, formatKg, formatKwh, formatNumber } from '../lib/format.js';
import { errorMessage, useApi, useNow } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { useLiveEvents } from '../lib/live.js';
import type { MessageKey } from '../lib/messages.js';
import { periodFor } from '../lib/period.js';
import { Link, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { groupPaths } from './Groups.js';

const PAGE = 50;

type WasteKind = 'thisWeek' | 'lastMonth' | 'schoolYear';

/** Every device matching the filters, read 1,000 at a time (for the CSV and for sorting by waste). */
async function loadAll(params: Record<string, string>, signal?: AbortSignal): Promise<WebDevice[]> {
  const all: WebDevice[] = [];
  for (let off = 0; ; off += 1000) {
    const b = await get<WebDeviceList>(
      `/api/v1/web/devices${qs({ ...params, limit: 1000, offset: off })}`,
      signal,
    );
    const part = b.devices;
    all.push(...part);
    if (part.length < 1000) return all;
  }
}

/** the state the console derived (list, device page and live events carry the same value) */
export function onlineState(d: Pick<WebDevice, 'state'>): DeviceViewState {
  return d.state;
}

export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  return <span className={`badge state-${state}`}>{t(`state.${state}` as MessageKey)}</span>;
}

export function ComplianceBadge({ status }: { status: string | null | undefined }) {
  const { t } = useI18n();
  const s = status ?? 'none';
  return <span className={`badge comp-${s}`}>{t(`compliance.${s}` as MessageKey)}</span>;
}

function urlParam(name: string): string {
  if (typeof location === 'undefined') return '';
  const v = new URLSearchParams(location.search).get(name) ?? '';
  return /^[a-z0-9-]{1,40}$/.test(v) ? v : '';
}

export function DevicesPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('devices.title'));
  const now = useNow();
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(groupList), [groupList]);

  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  // the overview's drill-down opens this list filtered by ?deviceClass= and ?groupId=
  const [groupId, setGroupId] = useState(() => urlParam('groupId'));
  const [deviceClass, setDeviceClass] = useState(() => urlParam('deviceClass'));
  const [state, setState] = useState('');
  const [policyStatus, setPolicyStatus] = useState('');
  const [sort, setSort] = useState<SortState>({ key: 'name', dir: 'asc' });
  const [offset, setOffset] = useState(0);

  useEffect(() => {
    const id = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(id);
  }, [q]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: any filter change goes back to page 1
  useEffect(() => setOffset(0), [query, groupId, deviceClass, state, policyStatus, sort.key, sort.dir]);

  // waste per device over a chosen period, from the same usage answer the overview uses
  const [wasteKind, setWasteKind] = useState<WasteKind>('thisWeek');
  const wastePeriod = useMemo(() => periodFor(wasteKind, Date.now()), [wasteKind]);
  const usage = useApi<UsageResponse>(
    `/api/v1/usage${qs({ from: wastePeriod.from, to: wastePeriod.to, groupBy: 'device', groupId })}`,
  );
  const waste = useMemo(() => new Map((usage.data?.rows ?? []).map((r) => [r.key, r])), [usage.data]);
  const wasteOf = (d: WebDevice) => waste.get(String(d.id));
  // the device list API sorts by its own columns; sorting by waste sorts every matching device here
  const byWaste = sort.key === 'waste';

  const params = {
    q: query,
    groupId,
    deviceClass,
    state,
    policyStatus,
    sort: byWaste ? 'name' : sort.key,
    order: byWaste ? 'asc' : sort.dir,
  };
  const paramsKey = qs(params);
  const list = useApi<WebDeviceList>(
    byWaste ? null : `/api/v1/web/devices${qs({ ...params, limit: PAGE, offset })}`,
  );
  const [everything, setEverything] = useState<WebDevice[]>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: paramsKey stands for params
  useEffect(() => {
    if (!byWaste) return;
    const ac = new AbortController();
    setEverything(undefined);
    loadAll(params, ac.signal).then(
      (all) => {
        if (!ac.signal.aborted) setEverything(all);
      },
      () => {},
    );
    return () => ac.abort();
  }, [byWaste, paramsKey]);
  const sortedByWaste = useMemo(() => {
    if (!byWaste || !everything) return [];
    const dir = sort.dir === 'asc' ? 1 : -1;
    const eur = (d: WebDevice) => waste.get(String(d.id))?.wasteEur ?? 0;
    return [...everything].sort((a, b) => (eur(a) - eur(b)) * dir || a.id - b.id);
  }, [byWaste, everything, waste, sort.dir]);
  const pageRows = useMemo(() => list.data?.devices ?? [], [list.data]);
  const rows = byWaste ? sortedByWaste.slice(offset, offset + PAGE) : pageRows;
  const total = byWaste ? sortedByWaste.length : (list.data?.total ?? 0);

  // live: online state changes arrive by push; a device not on this page (just enrolled, new, or now
  // matching a filter) makes the page reload, at most every few seconds
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(reloadTimer.current), []);
  useLiveEvents(['device', 'policy_status', 'enrolled'], (e) => {
    const known = rows.some((x) => x.id === e.deviceId);
    if (e.type === 'device' && known) {
      list.setData((d) =>
        d
          ? {
              ...d,
              devices: d.devices.map((x) =>
                x.id === e.deviceId ? { ...x, online: e.online, state: e.state, lastSeen: e.lastSeen } : x,
              ),
            }
          : d,
      );
      return;
    }
    if (!reloadTimer.current)
      reloadTimer.current = setTimeout(
        () => {
          reloadTimer.current = undefined;
          list.reload();
        },
        known ? 300 : 1500,
      );
  });

  const columns: Column<WebDevice>[] = [
    {
      key: 'name',
      label: t('col.name'),
      value: (d) => d.name ?? d.hostname,
      render: (d) => <Link to={`/devices/${d.id}`}>{d.name ?? d.hostname}</Link>,
    },
    {
      key: 'group',
      label: t('col.room'),
      value: (d) => paths.get(d.groupId) ?? d.groupPath ?? d.groupName ?? '',
    },
    {
      key: 'class',
      label: t('col.class'),
      value: (d) => d.deviceClass,
      // the OS under the class: a board sees its Chromebooks (ChromeOS) next to Windows and Linux
      render: (d) => (
        <span>
          {t(`class.${d.deviceClass}` as MessageKey)}
          {d.os && (
            <>
              {' '}
              <span className="muted small" data-testid="device-os">
                {osName(d.os, t)}
              </span>
            </>
          )}
        </span>
      ),
      csv: (d) => `${t(`class.${d.deviceClass}` as MessageKey)}${d.os ? ` (${osName(d.os, t)})` : ''}`,
    },
    {
      key: 'state',
      label: t('col.state'),
      value: (d) => onlineState(d),
      render: (d) => <StateBadge state={onlineState(d)} />,
      csv: (d) => t(`state.${onlineState(d)}` as MessageKey),
    },
    {
      key: 'policy',
      label: t('col.policy'),
      value: (d) => d.policyStatus,
      csv: (d) =>
        `${t(`compliance.${d.policyStatus}` as MessageKey)}${d.policyName ? ` (${d.policyName})` : ''}`,
      render: (d) => (
        <span>
          <ComplianceBadge status={d.policyStatus} />{' '}
          {d.policyName && <span className="muted small">{d.policyName}</span>}
        </span>
      ),
    },
    {
      key: 'waste',
      label: t('devices.wasteCol'),
      numeric: true,
      decimals: 2,
      value: (d) => wasteOf(d)?.wasteEur ?? 0,
      render: (d) => {
        const w = wasteOf(d);
        if (!w) return usage.loading ? '…' : formatEur(0, lang);
        return (
          <span title={`${formatKwh(w.wasteKwh, lang)} · ${formatKg(w.wasteCo2eKg, lang)}`}>
            {formatEur(w.wasteEur, lang)}
          </span>
        );
      },
    },
    {
      key: 'lastSeen',
      label: t('col.lastSeen'),
      value: (d) => (d.lastSeen ? new Date(d.lastSeen).toISOString() : ''),
      csv: (d) => (d.lastSeen ? { time: d.lastSeen } : undefined),
      render: (d) => (d.lastSeen ? formatAgo(d.lastSeen, now, lang) : '—'),
    },
  ];

  const selects: { label: string; value: string; set: (v: string) => void; options: [string, string][] }[] = [
    {
      label: t('devices.filterGroup'),
      value: groupId,
      set: setGroupId,
      options: groupList.map((g) => [String(g.id), paths.get(g.id) ?? g.name]),
    },
    {
      label: t('devices.filterClass'),
      value: deviceClass,
      set: setDeviceClass,
      options: DEVICE_CLASSES.map((c) => [c, t(`class.${c}` as MessageKey)]),
    },
    {
      label: t('devices.filterState'),
      value: state,
      set: setState,
      options: (['online', 'asleep', 'off', 'offline'] as const).map((s) => [s, t(`state.${s}`)]),
    },
    {
      label: t('devices.filterCompliance'),
      value: policyStatus,
      set: setPolicyStatus,
      options: POLICY_STATUS_NAMES.map((s) => [s, t(`compliance.${s}` as MessageKey)]),
    },
  ];

  const pages = Math.max(1, Math.ceil(total / PAGE));
  const page = Math.floor(offset / PAGE) + 1;
  const noneAtAll =
    !list.loading &&
    !(byWaste && !everything) &&
    total === 0 &&
    !query &&
    !groupId &&
    !deviceClass &&
    !state &&
    !policyStatus;

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('devices.title')}</h1>
        <span className="muted" data-testid="device-count">
          {t('devices.count', { count: formatNumber(total, lang, 0) })}
        </span>
      </div>
      <div className="filters card">
        <label className="field grow">
          <span>{t('common.search')}</span>
          <input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('devices.search')}
          />
        </label>
        <label className="field sort-field">
          <span>{lang === 'nl' ? 'Sorteren' : 'Sort'}</span>
          <select
            value={`${sort.key}:${sort.dir}`}
            onChange={(e) => {
              const [key, dir] = e.target.value.split(':') as [string, 'asc' | 'desc'];
              setSort({ key, dir });
            }}
          >
            {columns.flatMap((c) =>
              (['asc', 'desc'] as const).map((dir) => (
                <option key={`${c.key}:${dir}`} value={`${c.key}:${dir}`}>
                  {c.label} {dir === 'asc' ? '▲' : '▼'}
                </option>
              )),
            )}
          </select>
        </label>
        <label className="field">
          <span>{t('devices.wastePeriod')}</span>
          <select
            value={wasteKind}
            onChange={(e) => setWasteKind(e.target.value as WasteKind)}
            name="wastePeriod"
          >
            {(['thisWeek', 'lastMonth', 'schoolYear'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`period.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {selects.map((s) => (
          <label key={s.label} className="field">
            <span>{s.label}</span>
            <select value={s.value} onChange={(e) => s.set(e.target.value)}>
              <option value="">{t('common.all')}</option>
              {s.options.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {list.error && (
        <ErrorBox
          message={errorMessage(list.error, t)}
          onRetry={list.reload}
          retryLabel={t('common.retry')}
        />
      )}
      {noneAtAll ? (
        <section className="card empty-teach" data-testid="empty-devices">
          <h2>{t('empty.noDevices.title')}</h2>
          <p>{t('empty.noDevices.body')}</p>
          {can.editGroups(user.role) && (
            <Link className="btn-primary" to="/groups">
              {t('empty.noDevices.action')}
            </Link>
          )}
        </section>
      ) : (
        <section className="card">
          <DataTable
            testId="devices-table"
            caption={t('devices.title')}
            csvName="sluimer-apparaten"
            rows={rows}
            rowKey={(d) => String(d.id)}
            columns={columns}
            sort={sort}
            onSort={setSort}
            csvRows={() => (byWaste ? sortedByWaste : loadAll(params))}
          />
          <nav className="pager" aria-label={t('common.page', { page, pages })}>
            <button
              type="button"
              className="btn-small"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              {t('common.prev')}
            </button>
            <span>{t('common.page', { page, pages })}</span>
            <button
              type="button"
              className="btn-small"
              disabled={offset + PAGE >= total}
              onClick={() => setOffset(offset + PAGE)}
            >
              {t('common.next')}
            </button>
          </nav>
        </section>
      )}
    </main>
  );
}

const KNOWN_OS = ['chromeos', 'windows', 'macos', 'linux'] as const;

/** The inventory's OS as people call it (ChromeOS, Windows, …). */
function osName(os: string, t: (key: MessageKey) => string): string {
  return t(`os.${(KNOWN_OS as readonly string[]).includes(os) ? os : 'other'}` as MessageKey);
}
