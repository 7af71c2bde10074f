import type { DeviceReason, Group, Policy, WebDevice, WebDeviceList } from '@sluimer/shared';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { DataTable } from '../components/DataTable.js';
import { Explain } from '../components/Explain.js';
import { FormMessage, type FormMessageValue } from '../components/FormMessage.js';
import { PolicyEditor } from '../components/PolicyEditor.js';
import { ErrorBox } from '../components/Tile.js';
import { api, qs } from '../lib/api.js';
import { formatAgo, formatDateTime } from '../lib/format.js';
import { errorMessage, useApi, useNow } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { useLiveEvents } from '../lib/live.js';
import type { MessageKey } from '../lib/messages.js';
import { Link, useLocation, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import { ComplianceBadge, onlineState, StateBadge } from './Devices.js';
import { groupPaths } from './Groups.js';

const ROLLOUT_PAGE = 50;

export function PoliciesPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('policies.title'));
  const editable = can.editPolicies(user.role);
  const policies = useApi<Policy[]>('/api/v1/policies');
  const list = useMemo(() => policies.data ?? [], [policies.data]);
  const groups = useApi<Group[]>('/api/v1/groups');
  const groupList = useMemo(() => groups.data ?? [], [groups.data]);
  const groupPathsById = useMemo(() => groupPaths(groupList), [groupList]);
  const { search } = useLocation();
  const [selected, setSelected] = useState<number | 'new' | undefined>(() => {
    const id = Number(search.get('id'));
    return Number.isInteger(id) && id > 0 ? id : undefined;
  });
  const [serverError, setServerError] = useState<string>();
  const current = typeof selected === 'number' ? list.find((p) => p.id === selected) : undefined;

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('policies.title')}</h1>
        {editable && (
          <button type="button" className="btn-primary" onClick={() => setSelected('new')}>
            {t('policies.new')}
          </button>
        )}
      </div>
      {!editable && <p className="notice">{t('common.readOnly')}</p>}
      <p className="muted">{t('policies.precedence')}</p>
      {policies.error && (
        <ErrorBox
          message={errorMessage(policies.error, t)}
          onRetry={policies.reload}
          retryLabel={t('common.retry')}
        />
      )}
      <div className="split">
        <section className="card tree-card" aria-label={t('policies.title')}>
          {list.length === 0 && !policies.loading && <p className="empty-teach">{t('policies.empty')}</p>}
          <ul className="plain-list" data-testid="policy-list">
            {list.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className={`tree-btn${selected === p.id ? ' sel' : ''}`}
                  onClick={() => setSelected(p.id)}
                >
                  {p.name}
                  {p.settings.auditOnly && (
                    <span className="badge comp-pending">
                      {lang === 'nl' ? 'alleen meten' : 'audit only'}
                    </span>
                  )}
                  <span className="muted small where">
                    {whereAssigned(p, groupList, groupPathsById, lang)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <div className="split-main">
          {selected === 'new' && (
            <section className="card">
              <h2>{t('policies.new')}</h2>
              <PolicyEditor
                serverError={serverError}
                onCancel={() => setSelected(undefined)}
                onSave={async (v) => {
                  try {
                    setServerError(undefined);
                    const res = await api<Policy>('POST', '/api/v1/policies', v);
                    policies.reload();
                    setSelected(res.id);
                  } catch (err) {
                    setServerError(errorMessage(err, t));
                  }
                }}
              />
            </section>
          )}
          {current && (
            <>
              <section className="card" data-testid="policy-detail">
                <header className="card-head">
                  <h2>{current.name}</h2>
                  {editable && (
                    <button
                      type="button"
                      className="btn-small danger"
                      onClick={async () => {
                        if (
                          !window.confirm(
                            lang === 'nl'
                              ? `Energiebeleid ‘${current.name}’ verwijderen? Apparaten volgen dan het energiebeleid van hun school of de standaard.`
                              : `Delete policy ‘${current.name}’? Devices then follow their school’s policy or the default.`,
                          )
                        )
                          return;
                        try {
                          await api('DELETE', `/api/v1/policies/${current.id}`);
                          setSelected(undefined);
                          policies.reload();
                        } catch (err) {
                          setServerError(errorMessage(err, t));
                        }
                      }}
                    >
                      {t('common.delete')}
                    </button>
                  )}
                </header>
                {current.updatedAt && (
                  <p className="muted small">{formatDateTime(current.updatedAt, lang)}</p>
                )}
                <PolicyEditor
                  key={`${current.id}-${current.updatedAt ?? ''}`}
                  initial={current}
                  scope={{ groupIds: current.groupIds ?? [], deviceIds: current.deviceIds ?? [] }}
                  readOnly={!editable}
                  serverError={serverError}
                  onSave={async (v) => {
                    try {
                      setServerError(undefined);
                      await api('PUT', `/api/v1/policies/${current.id}`, v);
                      policies.reload();
                    } catch (err) {
                      setServerError(errorMessage(err, t));
                    }
                  }}
                />
              </section>
              <Assign policy={current} editable={editable} onAssigned={policies.reload} />
              <Rollout policy={current} />
            </>
          )}
        </div>
      </div>
    </main>
  );
}

/** "Het Baken, Lokaal 1.04 en 3 apparaten" / "nergens toegewezen": where a policy applies. */
function whereAssigned(p: Policy, groups: Group[], paths: Map<number, string>, lang: 'nl' | 'en'): string {
  const names = groups
    .filter((g) => g.policyId === p.id || p.groupIds?.includes(g.id))
    .map((g) => paths.get(g.id) ?? g.name);
  const devices = p.deviceIds?.length ?? 0;
  if (devices > 0)
    names.push(
      lang === 'nl'
        ? `${devices} ${devices === 1 ? 'apparaat' : 'apparaten'}`
        : `${devices} ${devices === 1 ? 'device' : 'devices'}`,
    );
  if (names.length === 0) return lang === 'nl' ? 'nergens toegewezen' : 'not assigned';
  const shown =
    names.length > 3
      ? [...names.slice(0, 3), lang === 'nl' ? `nog ${names.length - 3}` : `${names.length - 3} more`]
      : names;
  return `${lang === 'nl' ? 'Op' : 'On'}: ${shown.join(', ')}`;
}

function Assign({
  policy,
  editable,
  onAssigned,
}: {
  policy: Policy;
  editable: boolean;
  onAssigned: () => void;
}) {
  const { t, lang } = useI18n();
  const groups = useApi<Group[]>('/api/v1/groups');
  const list = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(list), [list]);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState('');
  // the tree in order (a school, then its rooms), indented by depth, filtered by the search
  const treeRows = useMemo(() => {
    const rows = list.map((g) => ({ g, path: paths.get(g.id) ?? g.name }));
    rows.sort((a, b) => a.path.localeCompare(b.path, 'nl', { numeric: true }));
    const needle = filter.trim().toLowerCase();
    return rows.filter((r) => !needle || r.path.toLowerCase().includes(needle));
  }, [list, paths, filter]);
  const [pickedDevices, setPickedDevices] = useState<{ id: number; name: string }[]>([]);
  const [deviceQuery, setDeviceQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setDebounced(deviceQuery.trim()), 250);
    return () => clearTimeout(id);
  }, [deviceQuery]);
  const found = useApi<WebDeviceList>(
    editable && debounced.length >= 2 ? `/api/v1/web/devices${qs({ q: debounced, limit: 8 })}` : null,
  );
  const suggestions = debounced.length >= 2 ? (found.data?.devices ?? []) : [];
  // devices this policy is assigned to directly, by name (the first 100)
  const directIds = policy.deviceIds.slice(0, 100).join(',');
  const direct = useApi<DeviceReason[]>(
    directIds ? `/api/v1/web/device-reasons${qs({ ids: directIds })}` : null,
  );
  const [msg, setMsg] = useState<FormMessageValue>();
  const assigned = list.filter((g) => g.policyId === policy.id || policy.groupIds.includes(g.id));

  const unassign = async (target: { groupIds?: number[]; deviceIds?: number[] }) => {
    try {
      await api('POST', '/api/v1/policies/unassign', target);
      setMsg({
        ok: true,
        text:
          lang === 'nl'
            ? 'Toewijzing opgeheven. De apparaten volgen weer het energiebeleid van hun school of de standaard.'
            : 'Unassigned. The devices follow their school’s policy or the default again.',
      });
      groups.reload();
      onAssigned();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ids = pickedDevices.map((d) => d.id);
    if (chosen.size === 0 && ids.length === 0) {
      setMsg({
        ok: false,
        text:
          lang === 'nl'
            ? 'Kies minstens één school, lokaal of apparaat.'
            : 'Pick at least one school, room or device.',
      });
      return;
    }
    try {
      await api('POST', `/api/v1/policies/${policy.id}/assign`, {
        ...(chosen.size ? { groupIds: [...chosen] } : {}),
        ...(ids.length ? { deviceIds: ids } : {}),
      });
      setMsg({
        ok: true,
        text:
          lang === 'nl'
            ? 'Toegewezen. Verbonden apparaten krijgen het energiebeleid meteen.'
            : 'Assigned. Connected devices get the policy at once.',
      });
      setChosen(new Set());
      setPickedDevices([]);
      setDeviceQuery('');
      groups.reload();
      onAssigned();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };

  return (
    <section className="card" aria-labelledby="as-h" data-testid="assign">
      <h2 id="as-h">{t('policies.assignTo')}</h2>
      <p className="muted small">{t('policies.precedence')}</p>
      <p>
        <strong>{t('policies.assigned')}:</strong>{' '}
        {assigned.length === 0 && !policy.deviceIds?.length && t('common.none')}
      </p>
      {(assigned.length > 0 || (policy.deviceIds?.length ?? 0) > 0) && (
        <ul className="assigned" data-testid="assigned">
          {assigned.map((g) => (
            <li key={g.id}>
              {paths.get(g.id)}
              {editable && (
                <button
                  type="button"
                  className="btn-small danger"
                  onClick={() => unassign({ groupIds: [g.id] })}
                >
                  {lang === 'nl' ? 'Opheffen' : 'Unassign'}
                </button>
              )}
            </li>
          ))}
          {(policy.deviceIds?.length ?? 0) > 0 && (
            <li>
              {policy.deviceIds!.length} {lang === 'nl' ? 'apparaten apart' : 'devices directly'}:{' '}
              {(direct.data ?? [])
                .slice(0, 10)
                .map((d) => d.name)
                .join(', ')}
              {policy.deviceIds!.length > 10 ? ', …' : ''}
              {editable && (
                <button
                  type="button"
                  className="btn-small danger"
                  onClick={() => unassign({ deviceIds: policy.deviceIds! })}
                >
                  {lang === 'nl' ? 'Opheffen' : 'Unassign'}
                </button>
              )}
            </li>
          )}
        </ul>
      )}
      {editable && (
        <form onSubmit={submit} className="stack">
          <fieldset className="checks">
            <legend>{t('nav.groups')}</legend>
            <label className="field">
              <span>{t('policies.findGroup')}</span>
              <input
                type="search"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                name="groupFilter"
              />
            </label>
            <div className="tree-checks">
              {treeRows.map(({ g, path }) => (
                <label
                  key={g.id}
                  className="check"
                  style={{ paddingLeft: `${(path.split(' › ').length - 1) * 1.25}rem` }}
                >
                  <input
                    type="checkbox"
                    checked={chosen.has(g.id)}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(g.id);
                      else next.delete(g.id);
                      setChosen(next);
                    }}
                  />
                  <span className="sr-only">{path}</span>
                  <span aria-hidden="true">{filter ? path : g.name}</span>
                  {g.policyId && g.policyId !== policy.id && (
                    <span className="muted small">
                      {' '}
                      ({lang === 'nl' ? 'heeft ander energiebeleid' : 'has another policy'})
                    </span>
                  )}
                </label>
              ))}
              {treeRows.length === 0 && <p className="muted small">{t('policies.noMatch')}</p>}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor="assign-device-search">{t('policies.findDevice')}</label>
            <input
              id="assign-device-search"
              type="search"
              value={deviceQuery}
              onChange={(e) => setDeviceQuery(e.target.value)}
              name="deviceSearch"
              autoComplete="off"
            />
            {suggestions.length > 0 && (
              <ul className="plain-list suggestions" data-testid="device-suggestions">
                {suggestions
                  .filter((d) => !pickedDevices.some((p) => p.id === d.id))
                  .map((d) => (
                    <li key={d.id}>
                      <button
                        type="button"
                        className="btn-small"
                        onClick={() =>
                          setPickedDevices((ps) => [...ps, { id: d.id, name: d.name ?? d.hostname }])
                        }
                      >
                        + {d.name ?? d.hostname}
                      </button>{' '}
                      <span className="muted small">{d.groupPath}</span>
                    </li>
                  ))}
              </ul>
            )}
            {pickedDevices.length > 0 && (
              <ul className="plain-list chips" aria-label={t('policies.pickedDevices')}>
                {pickedDevices.map((d) => (
                  <li key={d.id}>
                    {d.name}{' '}
                    <button
                      type="button"
                      className="btn-small"
                      aria-label={`${t('common.delete')}: ${d.name}`}
                      onClick={() => setPickedDevices((ps) => ps.filter((p) => p.id !== d.id))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <p className="muted small" aria-live="polite" data-testid="assign-hint">
            {chosen.size === 0 && pickedDevices.length === 0
              ? t('policies.nothingChosen')
              : t('policies.chosen', { groups: chosen.size, devices: pickedDevices.length })}
          </p>
          <FormMessage msg={msg} />
          <button type="submit" className="btn-primary">
            {t('policies.assign')}
          </button>
        </form>
      )}
    </section>
  );
}

function Rollout({ policy }: { policy: Policy }) {
  const { t, lang } = useI18n();
  const now = useNow();
  // the assignment is part of the URL so the list reloads after assigning
  const assignedKey = `${policy.groupIds.join('.')}-${policy.deviceIds.join('.')}-${policy.updatedAt}`;
  const devices = useApi<WebDeviceList>(
    `/api/v1/web/devices${qs({ policyId: policy.id, limit: 1000, sort: 'policy', v: assignedKey })}`,
  );
  const all = devices.data?.devices ?? [];
  const [pageNo, setPageNo] = useState(0);
  const pages = Math.max(1, Math.ceil(all.length / ROLLOUT_PAGE));
  const shownPage = Math.min(pageNo, pages - 1);
  const rows = all.slice(shownPage * ROLLOUT_PAGE, (shownPage + 1) * ROLLOUT_PAGE);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  // rollout status arrives by push (policy_status from the agents); coalesce bursts into one reload
  useLiveEvents(['policy_status', 'device'], () => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      devices.reload();
    }, 400);
  });
  const counts = { pending: 0, compliant: 0, failed: 0, drifted: 0, external: 0 } as Record<string, number>;
  for (const d of all) if (d.policyStatus && d.policyStatus in counts) counts[d.policyStatus]!++;
  return (
    <section className="card" aria-labelledby="ro-h" data-testid="rollout">
      <header className="card-head">
        <h2 id="ro-h">{t('policies.rollout')}</h2>
        <Explain text={t('policies.rollout.explain')} label={t('policies.rollout')} />
      </header>
      <p aria-live="polite" data-testid="rollout-counts">
        {(['compliant', 'pending', 'failed', 'drifted', 'external'] as const).map((s) => (
          <span key={s} className={`badge comp-${s}`}>
            {t(`compliance.${s}` as MessageKey)}: {counts[s]}
          </span>
        ))}
      </p>
      <DataTable
        caption={t('policies.rollout')}
        csvName={`sluimer-uitrol-${policy.id}`}
        rows={rows}
        csvRows={() => all}
        rowKey={(d) => String(d.id)}
        empty={
          lang === 'nl' ? 'Nog geen apparaten met dit energiebeleid.' : 'No devices with this policy yet.'
        }
        columns={[
          {
            key: 'name',
            label: t('col.device'),
            value: (d) => d.name ?? d.hostname,
            render: (d) => <Link to={`/devices/${d.id}`}>{d.name ?? d.hostname}</Link>,
          },
          {
            key: 'state',
            label: t('col.state'),
            value: (d) => onlineState(d),
            render: (d) => <StateBadge state={onlineState(d)} />,
            csv: (d) => t(`state.${onlineState(d)}` as MessageKey),
          },
          {
            key: 'status',
            label: t('policies.rollout'),
            value: (d) => d.policyStatus ?? 'none',
            render: (d) => <ComplianceBadge status={d.policyStatus} />,
            csv: (d) => t(`compliance.${d.policyStatus ?? 'none'}` as MessageKey),
          },
          { key: 'error', label: t('device.errors'), value: (d) => d.policyError ?? '' },
          {
            key: 'seen',
            label: t('col.lastSeen'),
            value: (d) => d.lastSeen ?? '',
            csv: (d) => (d.lastSeen ? { time: d.lastSeen } : undefined),
            render: (d) => (d.lastSeen ? formatAgo(d.lastSeen, now, lang) : '—'),
          },
        ]}
      />
      {pages > 1 && (
        <nav className="pager" aria-label={t('common.page', { page: shownPage + 1, pages })}>
          <button
            type="button"
            className="btn-small"
            disabled={shownPage === 0}
            onClick={() => setPageNo(shownPage - 1)}
          >
            {t('common.prev')}
          </button>
          <span>{t('common.page', { page: shownPage + 1, pages })}</span>
          <button
            type="button"
            className="btn-small"
            disabled={shownPage >= pages - 1}
            onClick={() => setPageNo(shownPage + 1)}
          >
            {t('common.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
