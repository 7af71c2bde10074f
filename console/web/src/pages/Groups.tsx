import {
  type CreatedEnrollSecret,
  type EnrollSecret,
  GROUP_KINDS,
  type Group,
  type Policy,
  type UsageResponse,
  WEEKDAYS,
  type WebDeviceList,
} from '@sluimer/shared';
import { type FormEvent, useMemo, useState } from 'react';
import { DataTable } from '../components/DataTable.js';
import { FormMessage, type FormMessageValue } from '../components/FormMessage.js';
import { GoogleAdminPanel } from '../components/GoogleAdminPanel.js';
import { InstallAddressNote } from '../components/InstallAddressNote.js';
import { SchoolCalendarCard } from '../components/SchoolCalendarCard.js';
import { ErrorBox } from '../components/Tile.js';
import { api, qs } from '../lib/api.js';
import { useConsoleAddress } from '../lib/consoleAddress.js';
import {
  formatDate,
  formatDateTime,
  formatEur,
  formatKg,
  formatKwh,
  formatNumber,
  weekdayNames,
} from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { INSTALL_OSES, installCommand } from '../lib/install.js';
import type { MessageKey } from '../lib/messages.js';
import { periodFor } from '../lib/period.js';
import { policyLayers } from '../lib/precedence.js';
import { Link, useTitle } from '../lib/router.js';
import { secretStatus } from '../lib/secrets.js';
import { can, useSession } from '../lib/session.js';
import { totals } from '../lib/shaping.js';

/** "School A › Lokaal 1.04" for every group, from the parent links. */
export function groupPaths(groups: readonly Group[]): Map<number, string> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const out = new Map<number, string>();
  const pathOf = (g: Group, depth = 0): string => {
    const cached = out.get(g.id);
    if (cached) return cached;
    const parent = g.parentId != null ? byId.get(g.parentId) : undefined;
    const p = parent && depth < 20 ? `${pathOf(parent, depth + 1)} › ${g.name}` : g.name;
    out.set(g.id, p);
    return p;
  };
  for (const g of groups) pathOf(g);
  return out;
}

interface TreeNode {
  group: Group;
  children: TreeNode[];
}
export function groupTree(groups: readonly Group[]): TreeNode[] {
  const nodes = new Map(groups.map((g) => [g.id, { group: g, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    const p = n.group.parentId != null ? nodes.get(n.group.parentId) : undefined;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const sort = (ns: TreeNode[]) => {
    ns.sort((a, b) => a.group.name.localeCompare(b.group.name, 'nl', { numeric: true }));
    for (const n of ns) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function GroupsPage() {
  const { t } = useI18n();
  const { user } = useSession();
  useTitle(t('groups.title'));
  const editable = can.editGroups(user.role);
  const groups = useApi<Group[]>('/api/v1/groups');
  const list = useMemo(() => groups.data ?? [], [groups.data]);
  const paths = useMemo(() => groupPaths(list), [list]);
  const tree = useMemo(() => groupTree(list), [list]);
  const [selected, setSelectedState] = useState<number>();
  const current = list.find((g) => g.id === selected);
  const setSelected = (id: number | undefined) => {
    setSelectedState(id);
    // on a phone the detail sits below the tree: bring it into view
    if (id !== undefined && typeof matchMedia !== 'undefined' && matchMedia('(max-width: 760px)').matches)
      setTimeout(() => document.querySelector('[data-testid="group-detail"]')?.scrollIntoView(), 50);
  };

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('groups.title')}</h1>
      </div>
      {!editable && <p className="notice">{t('common.readOnly')}</p>}
      {groups.error && (
        <ErrorBox
          message={errorMessage(groups.error, t)}
          onRetry={groups.reload}
          retryLabel={t('common.retry')}
        />
      )}
      <div className="split">
        <section className="card tree-card" aria-label={t('groups.title')}>
          {list.length === 0 && !groups.loading && (
            <p className="empty-teach" data-testid="empty-groups">
              {t('groups.empty')}
            </p>
          )}
          <ul className="tree" aria-label={t('groups.title')}>
            {tree.map((n) => (
              <TreeItem key={n.group.id} node={n} selected={selected} onSelect={setSelected} />
            ))}
          </ul>
          {editable && (
            <NewGroupForm
              groups={list}
              paths={paths}
              parentId={selected}
              onCreated={(id) => {
                groups.reload();
                setSelected(id);
              }}
            />
          )}
        </section>
        <div className="split-main">
          {current ? (
            <GroupDetail
              key={current.id}
              group={current}
              editable={editable}
              onChanged={groups.reload}
              onDeleted={() => {
                setSelected(undefined);
                groups.reload();
              }}
              path={paths.get(current.id) ?? current.name}
              groups={list}
              paths={paths}
            />
          ) : (
            list.length > 0 && <p className="muted card">{t('groups.select')}</p>
          )}
        </div>
      </div>
    </main>
  );
}

function TreeItem({
  node,
  selected,
  onSelect,
}: {
  node: TreeNode;
  selected?: number;
  onSelect: (id: number) => void;
}) {
  const { t } = useI18n();
  const g = node.group;
  return (
    <li>
      <button
        type="button"
        className={`tree-btn${selected === g.id ? ' sel' : ''}`}
        aria-pressed={selected === g.id}
        onClick={() => onSelect(g.id)}
      >
        <span className="kind">{t(`groups.kind.${g.kind}` as MessageKey)}</span> {g.name}
        {g.policyId && <span className="badge comp-compliant">{t('device.policy')}</span>}
        {g.excludedReason && (
          <span className="badge comp-pending">
            {t('reason.excluded', { reason: '' }).replace(/:\s*$/, '')}
          </span>
        )}
      </button>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <TreeItem key={c.group.id} node={c} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

function NewGroupForm({
  groups,
  paths,
  parentId,
  onCreated,
}: {
  groups: Group[];
  paths: Map<number, string>;
  parentId?: number;
  onCreated: (id: number) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [parent, setParent] = useState<string>('');
  const [kind, setKind] = useState<string>('');
  const [error, setError] = useState<string>();
  const effectiveParent = parent === '' ? (parentId !== undefined ? String(parentId) : '') : parent;
  const parentGroup = groups.find((g) => String(g.id) === effectiveParent);
  const defaultKind = !parentGroup ? 'school' : parentGroup.kind === 'board' ? 'school' : 'room';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const body: Record<string, unknown> = { name: name.trim(), kind: kind || defaultKind };
      if (effectiveParent && effectiveParent !== 'top') body.parentId = Number(effectiveParent);
      const res = await api<Group>('POST', '/api/v1/groups', body);
      setName('');
      onCreated(res.id);
    } catch (err) {
      setError(errorMessage(err, t, GROUP_ERRORS));
    }
  };
  return (
    <form className="stack new-group" onSubmit={submit} data-testid="new-group">
      <h2>{t('groups.new')}</h2>
      {error && <ErrorBox message={error} />}
      <label className="field">
        <span>{t('col.name')}</span>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
          name="groupName"
        />
      </label>
      <label className="field">
        <span>{t('groups.parent')}</span>
        <select value={effectiveParent || 'top'} onChange={(e) => setParent(e.target.value)} name="parent">
          <option value="top">{t('groups.top')}</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {paths.get(g.id)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('groups.kind')}</span>
        <select value={kind || defaultKind} onChange={(e) => setKind(e.target.value)} name="kind">
          {GROUP_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`groups.kind.${k}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn-primary" disabled={!name.trim()}>
        {t('common.create')}
      </button>
    </form>
  );
}

const ZONES = [
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Berlin',
  'Europe/London',
  'America/Curacao',
  'America/Aruba',
  'America/Kralendijk',
];

function GroupDetail({
  group,
  editable,
  onChanged,
  onDeleted,
  path,
  groups,
  paths,
}: {
  group: Group;
  editable: boolean;
  onChanged: () => void;
  onDeleted: () => void;
  path: string;
  groups: Group[];
  paths: Map<number, string>;
}) {
  const { t, lang } = useI18n();
  const [name, setName] = useState(group.name);
  const [zone, setZone] = useState(group.timeZone ?? '');
  const [excluded, setExcluded] = useState(group.excludedReason ?? '');
  const [parent, setParent] = useState(group.parentId == null ? '' : String(group.parentId));
  const [msg, setMsg] = useState<FormMessageValue>();
  // a group cannot move below itself: leave its own subtree out of the parent choices
  const subtree = useMemo(() => subtreeOf(group.id, groups), [group.id, groups]);
  const children = groups.filter((g) => g.parentId === group.id);
  const policies = useApi<Policy[]>(editable ? '/api/v1/policies' : null);
  // the policy that applies here: this group's own, else the nearest one up the tree
  const layer = policyLayers({ groupId: group.id }, groups)[0];
  const policy = (policies.data ?? []).find((p) => p.id === layer?.policyId);
  const inherited = layer && layer.groupId !== group.id ? paths.get(layer.groupId!) : undefined;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('PATCH', `/api/v1/groups/${group.id}`, {
        name: name.trim(),
        timeZone: zone || null,
        excludedReason: excluded.trim() || null,
        ...(parent !== String(group.parentId ?? '') ? { parentId: parent ? Number(parent) : null } : {}),
      });
      setMsg({ ok: true, text: t('common.saved') });
      onChanged();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t, GROUP_ERRORS) });
    }
  };
  const hours = policy?.settings.schoolHours;
  return (
    <>
      <section className="card" aria-labelledby="gd-h" data-testid="group-detail">
        <h2 id="gd-h">{path}</h2>
        <form className="form-row" onSubmit={save}>
          <label className="field">
            <span>{t('col.name')}</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              disabled={!editable}
              required
              name="renameGroup"
            />
          </label>
          {editable && (
            <label className="field">
              <span>{t('groups.parent')}</span>
              <select value={parent} onChange={(e) => setParent(e.target.value)} name="moveGroup">
                <option value="">{t('groups.topLevel')}</option>
                {groups
                  .filter((g) => !subtree.has(g.id))
                  .map((g) => (
                    <option key={g.id} value={g.id}>
                      {paths.get(g.id) ?? g.name}
                    </option>
                  ))}
              </select>
            </label>
          )}
          <label className="field">
            <span>{t('groups.timeZone')}</span>
            <select value={zone} onChange={(e) => setZone(e.target.value)} disabled={!editable}>
              <option value="">Europe/Amsterdam ({lang === 'nl' ? 'standaard' : 'default'})</option>
              {ZONES.slice(1)
                .concat(zone && !ZONES.includes(zone) ? [zone] : [])
                .map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
            </select>
          </label>
          <label className="field">
            <span>{lang === 'nl' ? 'Uitzondering (reden)' : 'Exclusion (reason)'}</span>
            <input
              value={excluded}
              onChange={(e) => setExcluded(e.target.value)}
              disabled={!editable}
              maxLength={500}
              placeholder={lang === 'nl' ? 'bijv. kiosk in de aula' : 'e.g. kiosk in the hall'}
            />
          </label>
          {editable && (
            <button type="submit" className="btn-primary">
              {t('common.save')}
            </button>
          )}
        </form>
        <FormMessage msg={msg} />
        <h3>{t('groups.schoolHours')}</h3>
        <p className="muted small">
          {hours
            ? WEEKDAYS.filter((d) => hours[d])
                .map((d) => `${weekdayNames(lang)[WEEKDAYS.indexOf(d)]} ${hours[d]?.start}–${hours[d]?.end}`)
                .join(', ')
            : lang === 'nl'
              ? 'Standaard ma–vr 08:00–17:00. Stel schooltijden in via het energiebeleid van deze school.'
              : 'Default Mon–Fri 08:00–17:00. Set school hours in the power policy of this school.'}
          {policy && (
            <>
              {' '}
              ({t('device.policy')}: <Link to={`/policies?id=${policy.id}`}>{policy.name}</Link>
              {inherited ? `, ${lang === 'nl' ? 'van' : 'from'} ${inherited}` : ''})
            </>
          )}
        </p>
      </section>
      <GroupContents group={group} editable={editable} policyName={policy?.name} inherited={inherited} />
      <SchoolCalendarCard groupId={group.id} isSchool={group.kind === 'school'} editable={editable} />
      {editable && (
        <DeleteGroup group={group} childCount={children.length} path={path} onDeleted={onDeleted} />
      )}
      <Secrets group={group} editable={editable} />
      <GoogleAdminPanel groupId={group.id} />
    </>
  );
}

const GROUP_ERRORS = {
  'conflict:duplicate_name': 'error.groupNameTaken',
  'conflict:below_itself': 'error.groupBelowItself',
} as const;

/** The group and every group below it. */
function subtreeOf(id: number, groups: readonly Group[]): Set<number> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const g of groups)
      if (g.parentId != null && out.has(g.parentId) && !out.has(g.id)) {
        out.add(g.id);
        grew = true;
      }
  }
  return out;
}

/** What is in the group: its devices (for staff), this week's waste and the energy policy that applies. */
function GroupContents({
  group,
  editable,
  policyName,
  inherited,
}: {
  group: Group;
  editable: boolean;
  policyName?: string;
  inherited?: string;
}) {
  const { t, lang } = useI18n();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the week is fixed when the group is opened
  const week = useMemo(() => periodFor('thisWeek', Date.now()), [group.id]);
  const usage = useApi<UsageResponse>(
    `/api/v1/usage${qs({ from: week.from, to: week.to, groupBy: 'device', groupId: group.id })}`,
  );
  const devices = useApi<WebDeviceList>(
    editable ? `/api/v1/web/devices${qs({ groupId: group.id, limit: 1 })}` : null,
  );
  const sum = usage.data ? totals(usage.data.rows) : undefined;
  return (
    <section className="card" aria-labelledby="gc-h" data-testid="group-contents">
      <h2 id="gc-h">{t('groups.contents')}</h2>
      <dl className="facts">
        {editable && (
          <>
            <dt>{t('nav.devices')}</dt>
            <dd data-testid="group-device-count">
              {devices.data?.total === undefined ? (
                '…'
              ) : (
                <Link to={`/devices${qs({ groupId: group.id })}`}>
                  {t('devices.count', { count: formatNumber(devices.data.total, lang, 0) })}
                </Link>
              )}
            </dd>
          </>
        )}
        <dt>{t('groups.wasteWeek')}</dt>
        <dd data-testid="group-waste">
          {sum
            ? `${formatEur(sum.wasteEur, lang)} · ${formatKg(sum.wasteCo2eKg, lang)} · ${formatKwh(sum.wasteKwh, lang)}`
            : '…'}{' '}
          <Link to={`/${qs({ group: group.id })}`}>{t('groups.toOverview')}</Link>
        </dd>
        <dt>{t('device.policy')}</dt>
        <dd>
          {policyName
            ? inherited
              ? t('groups.policyFrom', { policy: policyName, group: inherited })
              : policyName
            : editable
              ? t('reason.noPolicy')
              : '—'}
        </dd>
      </dl>
    </section>
  );
}

/** Deleting a group: only an empty one can go (the console refuses otherwise), and the page says why. */
function DeleteGroup({
  group,
  childCount,
  path,
  onDeleted,
}: {
  group: Group;
  childCount: number;
  path: string;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const devices = useApi<WebDeviceList>(`/api/v1/web/devices${qs({ groupId: group.id, limit: 1 })}`);
  const deviceCount = devices.data?.total;
  const [error, setError] = useState<string>();
  const blocked = childCount > 0 || (deviceCount ?? 0) > 0;
  const remove = async () => {
    if (!window.confirm(t('groups.delete.confirm', { path }))) return;
    try {
      await api('DELETE', `/api/v1/groups/${group.id}`);
      onDeleted();
    } catch (err) {
      setError(errorMessage(err, t, { conflict: 'groups.delete.notEmpty' }));
    }
  };
  return (
    <section className="card" aria-labelledby="del-h" data-testid="group-delete">
      <h2 id="del-h">{t('groups.delete')}</h2>
      <p className="muted">
        {blocked
          ? t('groups.delete.blocked', {
              children: childCount,
              devices: deviceCount ?? 0,
            })
          : t('groups.delete.empty')}
      </p>
      {error && <ErrorBox message={error} />}
      <button
        type="button"
        className="btn-small danger"
        onClick={remove}
        disabled={blocked || deviceCount === undefined}
      >
        {t('groups.delete')}
      </button>
    </section>
  );
}

function Secrets({ group, editable }: { group: Group; editable: boolean }) {
  const { t, lang } = useI18n();
  const secrets = useApi<EnrollSecret[]>(editable ? `/api/v1/groups/${group.id}/enroll-secrets` : null);
  const list = secrets.data ?? [];
  const [fresh, setFresh] = useState<string>();
  const [error, setError] = useState<string>();
  const [limits, setLimits] = useState<SecretLimits>({ deviceLimit: '', expiresOn: '' });
  // the configured public URL, not the address this browser happened to use (often localhost)
  const address = useConsoleAddress();
  const url = address.url;
  if (!editable) return null;
  const create = async () => {
    setError(undefined);
    try {
      const res = await api<CreatedEnrollSecret>(
        'POST',
        `/api/v1/groups/${group.id}/enroll-secrets`,
        secretLimitsBody(limits),
      );
      setFresh(res.secret);
      secrets.reload();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  const revoke = async (s: EnrollSecret) => {
    if (!window.confirm(t('groups.revoke.confirm', { id: s.id }))) return;
    try {
      await api('DELETE', `/api/v1/enroll-secrets/${s.id}`);
      secrets.reload();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  return (
    <section className="card" aria-labelledby="sec-h" data-testid="secrets">
      <header className="card-head">
        <h2 id="sec-h">{t('groups.secrets')}</h2>
        <button type="button" className="btn-primary" onClick={create}>
          {t('groups.newSecret')}
        </button>
      </header>
      <SecretLimitFields value={limits} onChange={setLimits} />
      {error && <ErrorBox message={error} />}
      {fresh && (
        <div className="secret-box" data-testid="fresh-secret">
          <p className="notice">{t('groups.secretOnce')}</p>
          <code className="secret" data-testid="secret-value">
            {fresh}
          </code>
          <h3>{t('groups.install')}</h3>
          <p className="muted">{t('groups.install.hint')}</p>
          <InstallAddressNote address={address} />
          {INSTALL_OSES.map((os) => (
            <div key={os} className="install">
              <div className="install-head">
                <span>{t(`groups.install.${os}` as MessageKey)}</span>
                <button
                  type="button"
                  className="btn-small"
                  onClick={() => navigator.clipboard?.writeText(installCommand(os, url, fresh))}
                >
                  {lang === 'nl' ? 'Kopiëren' : 'Copy'}
                </button>
              </div>
              <pre data-testid={`install-${os}`}>
                <code>{installCommand(os, url, fresh)}</code>
              </pre>
            </div>
          ))}
        </div>
      )}
      <DataTable
        caption={t('groups.secrets')}
        csvName={`sluimer-aanmeldcodes-${group.id}`}
        rows={list}
        rowKey={(s) => String(s.id)}
        empty={
          lang === 'nl'
            ? 'Nog geen aanmeldcodes voor deze groep.'
            : 'No enrollment secrets for this group yet.'
        }
        columns={[
          { key: 'id', label: '#', numeric: true, value: (s) => s.id },
          {
            key: 'created',
            label: lang === 'nl' ? 'Gemaakt' : 'Created',
            value: (s) => s.createdAt,
            csv: (s) => ({ time: s.createdAt }),
            render: (s) => formatDateTime(s.createdAt, lang),
          },
          {
            key: 'expires',
            label: lang === 'nl' ? 'Verloopt' : 'Expires',
            value: (s) => s.expiresAt ?? '',
            csv: (s) => (s.expiresAt ? { time: s.expiresAt } : lang === 'nl' ? 'nooit' : 'never'),
            render: (s) => (s.expiresAt ? formatDate(s.expiresAt, lang) : lang === 'nl' ? 'nooit' : 'never'),
          },
          {
            key: 'devices',
            label: t('groups.secret.devices'),
            numeric: true,
            value: (s) => s.devicesEnrolled ?? null,
            render: (s) => (
              <span data-testid="secret-devices">
                {s.devicesEnrolled == null
                  ? '—'
                  : s.deviceLimit != null
                    ? `${s.devicesEnrolled} / ${s.deviceLimit}`
                    : String(s.devicesEnrolled)}
              </span>
            ),
          },
          {
            key: 'state',
            label: t('col.state'),
            value: (s) => secretStatus(s),
            csv: (s) => t(`groups.secret.${secretStatus(s)}` as MessageKey),
            render: (s) => {
              const st = secretStatus(s);
              return (
                <span
                  className={`badge ${st === 'active' ? 'comp-compliant' : st === 'full' ? 'comp-pending' : 'comp-failed'}`}
                >
                  {t(`groups.secret.${st}` as MessageKey)}
                </span>
              );
            },
          },
          {
            key: 'revoke',
            label: t('common.actions'),
            sortable: false,
            action: true,
            value: () => '',
            render: (s) =>
              secretStatus(s) === 'revoked' ? null : (
                <button type="button" className="btn-small danger" onClick={() => revoke(s)}>
                  {t('groups.revoke')}
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}

/** the optional limits of a new enroll secret as typed: a device limit and a last day */
export interface SecretLimits {
  deviceLimit: string;
  /** YYYY-MM-DD; the secret works up to the end of that local day */
  expiresOn: string;
}

/** the POST body for a new enroll secret: only the limits that were filled in */
export function secretLimitsBody(v: SecretLimits): { deviceLimit?: number; expiresAt?: number } {
  const body: { deviceLimit?: number; expiresAt?: number } = {};
  const n = Number(v.deviceLimit);
  if (v.deviceLimit.trim() !== '' && Number.isInteger(n)) body.deviceLimit = n;
  if (v.expiresOn) {
    const end = new Date(`${v.expiresOn}T00:00:00`);
    end.setDate(end.getDate() + 1);
    body.expiresAt = end.getTime();
  }
  return body;
}

/** optional device limit and expiry for the next enroll secret (a leaked secret then enrolls no fleet) */
function SecretLimitFields({
  value,
  onChange,
}: {
  value: SecretLimits;
  onChange: (v: SecretLimits) => void;
}) {
  const { lang } = useI18n();
  const nl = lang === 'nl';
  return (
    <div className="form-row" data-testid="secret-limits">
      <label>
        {nl ? 'Hoogstens zoveel apparaten (leeg: geen grens)' : 'At most this many devices (empty: no limit)'}
        <input
          type="number"
          name="deviceLimit"
          min={1}
          max={100000}
          step={1}
          inputMode="numeric"
          value={value.deviceLimit}
          onChange={(e) => onChange({ ...value, deviceLimit: e.target.value })}
        />
      </label>
      <label>
        {nl ? 'Geldig tot en met (leeg: geen einddatum)' : 'Valid up to and including (empty: no end date)'}
        <input
          type="date"
          name="expiresOn"
          value={value.expiresOn}
          onChange={(e) => onChange({ ...value, expiresOn: e.target.value })}
        />
      </label>
    </div>
  );
}
