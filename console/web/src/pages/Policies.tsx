import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { DataTable } from '../components/DataTable.js';
import { Explain } from '../components/Explain.js';
import { PolicyEditor } from '../components/PolicyEditor.js';
import { ErrorBox } from '../components/Tile.js';
import { api, asList, qs } from '../lib/api.js';
import { formatAgo, formatDateTime } from '../lib/format.js';
import { errorMessage, useApi, useNow } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { useLiveEvents } from '../lib/live.js';
import type { MessageKey } from '../lib/messages.js';
import { Link, useLocation, useTitle } from '../lib/router.js';
import { can, useSession } from '../lib/session.js';
import type { Device, Group, Policy } from '../lib/types.js';
import { ComplianceBadge, onlineState, StateBadge } from './Devices.js';
import { groupPaths } from './Groups.js';

export function PoliciesPage() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  useTitle(t('policies.title'));
  const editable = can.editPolicies(user.role);
  const policies = useApi<unknown>('/api/v1/policies');
  const list = useMemo(() => asList<Policy>(policies.data, 'policies'), [policies.data]);
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
                    const res = await api<{ id: number; policy?: { id: number } }>(
                      'POST',
                      '/api/v1/policies',
                      v,
                    );
                    policies.reload();
                    setSelected(res.id ?? res.policy?.id);
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
  const groups = useApi<unknown>('/api/v1/groups');
  const list = useMemo(() => asList<Group>(groups.data, 'groups'), [groups.data]);
  const paths = useMemo(() => groupPaths(list), [list]);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [deviceIds, setDeviceIds] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const assigned = list.filter((g) => g.policyId === policy.id || policy.groupIds?.includes(g.id));

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
    const ids = deviceIds
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
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
      setDeviceIds('');
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
              {policy.deviceIds!.length} {lang === 'nl' ? 'apparaten apart' : 'devices directly'} (#
              {policy.deviceIds!.slice(0, 10).join(', #')}
              {policy.deviceIds!.length > 10 ? ', …' : ''})
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
            {list.map((g) => (
              <label key={g.id} className="check">
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
                {paths.get(g.id)}
                {g.policyId && g.policyId !== policy.id && (
                  <span className="muted small">
                    {' '}
                    ({lang === 'nl' ? 'heeft ander energiebeleid' : 'has another policy'})
                  </span>
                )}
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>{t('policies.deviceIds')}</span>
            <input
              value={deviceIds}
              onChange={(e) => setDeviceIds(e.target.value)}
              inputMode="numeric"
              name="deviceIds"
            />
          </label>
          {msg && (
            <p role="status" className={msg.ok ? 'ok' : 'error-box'}>
              {msg.text}
            </p>
          )}
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
  const assignedKey = `${policy.groupIds?.join('.') ?? ''}-${policy.deviceIds?.join('.') ?? ''}-${policy.updatedAt ?? ''}`;
  const devices = useApi<unknown>(
    `/api/v1/web/devices${qs({ policyId: policy.id, limit: 1000, sort: 'policy', v: assignedKey })}`,
  );
  const rows = asList<Device>(devices.data, 'devices');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  // rollout status arrives by push (policy_status from the agents); coalesce bursts into one reload
  useLiveEvents(['policy_status', 'device'], () => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      devices.reload();
    }, 400);
  });
  const counts = { pending: 0, compliant: 0, failed: 0, drifted: 0 } as Record<string, number>;
  for (const d of rows) if (d.policyStatus && d.policyStatus in counts) counts[d.policyStatus]!++;
  return (
    <section className="card" aria-labelledby="ro-h" data-testid="rollout">
      <header className="card-head">
        <h2 id="ro-h">
          {t('policies.rollout')}{' '}
          <Explain text={t('policies.rollout.explain')} label={t('policies.rollout')} />
        </h2>
      </header>
      <p aria-live="polite" data-testid="rollout-counts">
        {(['compliant', 'pending', 'failed', 'drifted'] as const).map((s) => (
          <span key={s} className={`badge comp-${s}`}>
            {t(`compliance.${s}` as MessageKey)}: {counts[s]}
          </span>
        ))}
      </p>
      <DataTable
        caption={t('policies.rollout')}
        csvName={`sluimer-uitrol-${policy.id}`}
        rows={rows}
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
    </section>
  );
}
