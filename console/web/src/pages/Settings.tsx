import {
  API_TOKEN_DAYS,
  type ApiToken,
  type AuditEntry,
  type CreatedApiToken,
  DEFAULT_CLASS_WATTS,
  DEFAULT_MONITOR_WATTS,
  DEVICE_CLASSES,
  type DeviceClass,
  ENERGY_STATES,
  MONITOR_SIZES,
  type MonitorSize,
  ROLES,
  type Role,
  type Settings,
  SettingsUpdateRequestSchema,
  type User,
} from '@sluimer/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { DataTable } from '../components/DataTable.js';
import { FormMessage, type FormMessageValue } from '../components/FormMessage.js';
import { LifecycleFigureSettings } from '../components/LifecycleFigureSettings.js';
import { ErrorBox } from '../components/Tile.js';
import { api } from '../lib/api.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { errorMessage, useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { parseDecimal } from '../lib/policyForm.js';
import { Link, useTitle } from '../lib/router.js';

const STATE_LABEL: Record<string, [string, string]> = {
  active: ['in gebruik', 'active'],
  idle_display_on: ['inactief, scherm aan', 'idle, display on'],
  idle_display_off: ['inactief, scherm uit', 'idle, display off'],
  sleep: ['slaapstand', 'sleep'],
  off: ['uit', 'off'],
};

export function SettingsPage() {
  const { t } = useI18n();
  useTitle(t('settings.title'));
  // a new password, a lower role or a deleted user revokes tokens: the token list then reloads
  const [usersChanged, setUsersChanged] = useState(0);
  return (
    <main id="main" className="page">
      <h1>{t('settings.title')}</h1>
      <EnergySettings />
      <LifecycleFigureSettings />
      <Users onChange={() => setUsersChanged((n) => n + 1)} />
      <Tokens usersChanged={usersChanged} />
      <AuditLog />
    </main>
  );
}

function EnergySettings() {
  const { t, lang } = useI18n();
  const s = useApi<Settings>('/api/v1/settings');
  const current = s.data;
  const [price, setPrice] = useState('');
  const [grid, setGrid] = useState('');
  const [retention, setRetention] = useState('');
  const [watts, setWatts] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<FormMessageValue>();
  useEffect(() => {
    if (!current) return;
    setPrice(formatNumber(current.priceEurPerKwh, lang, 4));
    setGrid(formatNumber(current.gridKgPerKwh, lang, 4));
    setRetention(String(current.rawRetentionDays));
    const w: Record<string, string> = {};
    for (const c of DEVICE_CLASSES)
      for (const st of ENERGY_STATES) {
        const v = current.classWatts?.[c]?.[st];
        if (v !== undefined) w[`${c}.${st}`] = formatNumber(v, lang, 2);
      }
    for (const m of MONITOR_SIZES)
      for (const st of ENERGY_STATES) {
        const v = current.monitorWatts?.[m]?.[st];
        if (v !== undefined) w[`monitor-${m}.${st}`] = formatNumber(v, lang, 2);
      }
    setWatts(w);
  }, [current, lang]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const classWatts: Partial<Record<DeviceClass, Record<string, number>>> = {};
    const monitorWatts: Partial<Record<MonitorSize, Record<string, number>>> = {};
    for (const [k, v] of Object.entries(watts)) {
      const n = parseDecimal(v);
      if (n === undefined) continue;
      const [c, st] = k.split('.') as [string, string];
      if (c.startsWith('monitor-')) {
        const m = c.slice('monitor-'.length) as MonitorSize;
        monitorWatts[m] = { ...monitorWatts[m], [st]: n };
      } else {
        const row = classWatts[c as DeviceClass] ?? {};
        row[st] = n;
        classWatts[c as DeviceClass] = row;
      }
    }
    const body = {
      priceEurPerKwh: parseDecimal(price),
      gridKgPerKwh: parseDecimal(grid),
      rawRetentionDays: parseDecimal(retention),
      classWatts,
      ...(Object.keys(monitorWatts).length ? { monitorWatts } : {}),
    };
    const parsed = SettingsUpdateRequestSchema.safeParse(body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
      setMsg({
        ok: false,
        text: `${lang === 'nl' ? 'Controleer' : 'Check'}: ${fields
          .map((f) =>
            f === 'priceEurPerKwh'
              ? t('settings.price')
              : f === 'gridKgPerKwh'
                ? t('settings.grid')
                : f === 'rawRetentionDays'
                  ? t('settings.retention')
                  : t('settings.watts'),
          )
          .join(', ')}`,
      });
      return;
    }
    try {
      await api('PUT', '/api/v1/settings', parsed.data);
      setMsg({ ok: true, text: t('common.saved') });
      s.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };

  return (
    <section className="card" aria-labelledby="en-h" data-testid="settings-energy">
      <h2 id="en-h">{t('settings.energy')}</h2>
      {s.error && (
        <ErrorBox
          message={
            s.error.status === 404
              ? t('settings.unavailable', { message: s.error.message })
              : errorMessage(s.error, t)
          }
        />
      )}
      <form onSubmit={save} className="stack">
        <div className="form-grid">
          <label className="field">
            <span>{t('settings.price')}</span>
            <input
              inputMode="decimal"
              value={price}
              onChange={(e) => setPrice(e.target.value)}
              name="price"
            />
            <span className="help">{t('settings.price.explain')}</span>
          </label>
          <label className="field">
            <span>{t('settings.grid')}</span>
            <input inputMode="decimal" value={grid} onChange={(e) => setGrid(e.target.value)} name="grid" />
            <span className="help">{t('settings.grid.explain')}</span>
          </label>
          <label className="field">
            <span>{t('settings.retention')}</span>
            <input
              inputMode="numeric"
              value={retention}
              onChange={(e) => setRetention(e.target.value)}
              name="retention"
            />
            <span className="help">{t('settings.retention.explain')}</span>
          </label>
        </div>
        <h3>{t('settings.watts')}</h3>
        <p className="help">{t('settings.watts.explain')}</p>
        <div className="table-scroll">
          <table className="watts">
            <thead>
              <tr>
                <th scope="col">{t('col.class')}</th>
                {ENERGY_STATES.map((st) => (
                  <th key={st} scope="col" className="num">
                    {STATE_LABEL[st]?.[lang === 'nl' ? 0 : 1]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[
                ...DEVICE_CLASSES.map((c) => ({
                  key: c as string,
                  label: t(`class.${c}` as MessageKey),
                  defaults: DEFAULT_CLASS_WATTS[c],
                })),
                ...MONITOR_SIZES.map((m) => ({
                  key: `monitor-${m}`,
                  label: t('settings.monitor', { size: m }),
                  defaults: DEFAULT_MONITOR_WATTS[m],
                })),
              ].map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  {ENERGY_STATES.map((st) => (
                    <td key={st} className="num" data-label={STATE_LABEL[st]?.[lang === 'nl' ? 0 : 1]}>
                      <input
                        className="watt-input"
                        inputMode="decimal"
                        aria-label={`${row.label} ${STATE_LABEL[st]?.[lang === 'nl' ? 0 : 1]} (W)`}
                        placeholder={formatNumber(row.defaults[st], lang, 2)}
                        value={watts[`${row.key}.${st}`] ?? ''}
                        onChange={(e) => setWatts((w) => ({ ...w, [`${row.key}.${st}`]: e.target.value }))}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <FormMessage msg={msg} />
        <button type="submit" className="btn-primary">
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}

type UserRow = User;

function Users({ onChange }: { onChange: () => void }) {
  const { t, lang } = useI18n();
  const users = useApi<User[]>('/api/v1/users');
  const rows = users.data ?? [];
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [msg, setMsg] = useState<FormMessageValue>();
  const [resetFor, setResetFor] = useState<UserRow>();
  const [newPassword, setNewPassword] = useState('');
  const resetPassword = async (e: FormEvent) => {
    e.preventDefault();
    if (!resetFor) return;
    try {
      await api('PATCH', `/api/v1/users/${resetFor.id}`, { password: newPassword });
      setMsg({ ok: true, text: t('settings.passwordReset.done', { user: resetFor.username }) });
      setResetFor(undefined);
      setNewPassword('');
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  const changeRole = async (u: UserRow, r: Role) => {
    try {
      await api('PATCH', `/api/v1/users/${u.id}`, { role: r });
      setMsg({ ok: true, text: t('common.saved') });
      users.reload();
      onChange();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t, { conflict: 'error.lastAdmin' }) });
    }
  };
  const remove = async (u: UserRow) => {
    if (
      !window.confirm(lang === 'nl' ? `Gebruiker ${u.username} verwijderen?` : `Delete user ${u.username}?`)
    )
      return;
    try {
      await api('DELETE', `/api/v1/users/${u.id}`);
      users.reload();
      onChange();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t, { conflict: 'error.lastAdmin' }) });
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('POST', '/api/v1/users', { username: username.trim(), password, role });
      setUsername('');
      setPassword('');
      setMsg({ ok: true, text: t('common.saved') });
      users.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t, { conflict: 'error.userTaken' }) });
    }
  };
  return (
    <section className="card" aria-labelledby="us-h" data-testid="settings-users">
      <h2 id="us-h">{t('settings.users')}</h2>
      {users.error && <ErrorBox message={errorMessage(users.error, t)} />}
      <DataTable
        caption={t('settings.users')}
        csvName="sluimer-gebruikers"
        rows={rows}
        rowKey={(u) => String(u.id)}
        columns={[
          { key: 'username', label: t('login.username'), value: (u) => u.username },
          {
            key: 'role',
            label: t('settings.role'),
            value: (u) => u.role,
            csv: (u) => t(`role.${u.role}` as MessageKey),
            render: (u) => (
              <select
                aria-label={`${t('settings.role')}: ${u.username}`}
                value={u.role}
                onChange={(e) => changeRole(u, e.target.value as Role)}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            ),
          },
          {
            key: 'created',
            label: lang === 'nl' ? 'Sinds' : 'Since',
            value: (u) => u.createdAt ?? '',
            csv: (u) => (u.createdAt ? { time: u.createdAt } : undefined),
            render: (u) => (u.createdAt ? formatDateTime(u.createdAt, lang) : ''),
          },
          {
            key: 'del',
            label: t('common.actions'),
            sortable: false,
            action: true,
            value: () => '',
            render: (u) => (
              <span className="row-actions">
                <button
                  type="button"
                  className="btn-small"
                  onClick={() => {
                    setResetFor(u);
                    setNewPassword('');
                  }}
                >
                  {t('settings.passwordReset')}
                </button>{' '}
                <button type="button" className="btn-small danger" onClick={() => remove(u)}>
                  {t('common.delete')}
                </button>
              </span>
            ),
          },
        ]}
      />
      {resetFor && (
        <form onSubmit={resetPassword} className="form-row" data-testid="reset-password">
          <label className="field">
            <span>{t('settings.passwordReset.for', { user: resetFor.username })}</span>
            <input
              type="password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
              autoComplete="new-password"
              name="resetPassword"
              required
              minLength={10}
              maxLength={200}
              // biome-ignore lint/a11y/noAutofocus: the form opens on the admin's request
              autoFocus
            />
            <span className="help">{t('settings.passwordReset.help', { user: resetFor.username })}</span>
          </label>
          <button type="submit" className="btn-primary">
            {t('common.save')}
          </button>
          <button type="button" className="btn-small" onClick={() => setResetFor(undefined)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <form onSubmit={create} className="form-row" data-testid="new-user">
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="off"
            name="newUsername"
            required
            minLength={2}
            maxLength={100}
            pattern="[A-Za-z0-9._@\-]+"
            title={
              lang === 'nl'
                ? 'Letters, cijfers en . _ @ - (minstens 2 tekens)'
                : 'Letters, digits and . _ @ - (at least 2 characters)'
            }
          />
        </label>
        <label className="field">
          <span>
            {t('login.password')} ({lang === 'nl' ? 'min. 10 tekens' : 'min. 10 characters'})
          </span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
            name="newPassword"
            required
            minLength={10}
            maxLength={200}
          />
        </label>
        <label className="field">
          <span>{t('settings.role')}</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} name="newRole">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn-primary">
          {t('settings.newUser')}
        </button>
      </form>
      <FormMessage msg={msg} />
    </section>
  );
}

/** Every user's API tokens (the admin's view): make your own, revoke anyone's. */
function Tokens({ usersChanged }: { usersChanged: number }) {
  const { t, lang } = useI18n();
  const tokens = useApi<ApiToken[]>('/api/v1/admin/tokens');
  const reloadTokens = tokens.reload;
  useEffect(() => {
    if (usersChanged > 0) reloadTokens();
  }, [usersChanged, reloadTokens]);
  const rows = tokens.data ?? [];
  const [name, setName] = useState('');
  const [days, setDays] = useState(String(API_TOKEN_DAYS.default));
  const [fresh, setFresh] = useState<string>();
  const [msg, setMsg] = useState<FormMessageValue>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const res = await api<CreatedApiToken>('POST', '/api/v1/tokens', {
        name: name.trim(),
        expiresInDays: Number(days),
      });
      setFresh(res.token);
      setName('');
      setMsg(undefined);
      tokens.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  const revoke = async (r: ApiToken) => {
    if (!window.confirm(t('settings.token.revokeConfirm', { name: r.name, user: r.username }))) return;
    try {
      await api('DELETE', `/api/v1/admin/tokens/${r.id}`);
      setMsg({ ok: true, text: t('settings.token.revoked', { name: r.name }) });
      tokens.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorMessage(err, t) });
    }
  };
  return (
    <section className="card" aria-labelledby="tk-h" data-testid="settings-tokens">
      <h2 id="tk-h">{t('settings.tokens')}</h2>
      <p className="help">{t('settings.tokens.explain')}</p>
      <p>
        <Link to="/api-reference">{t('apiref.link')}</Link>
      </p>
      {tokens.error && <ErrorBox message={errorMessage(tokens.error, t)} />}
      {fresh && (
        <div className="secret-box">
          <p className="notice">{t('settings.tokenOnce')}</p>
          <code className="secret">{fresh}</code>
        </div>
      )}
      <DataTable
        caption={t('settings.tokens')}
        csvName="sluimer-api-tokens"
        rows={rows}
        rowKey={(r) => String(r.id)}
        columns={[
          { key: 'user', label: t('settings.token.user'), value: (r) => r.username },
          { key: 'name', label: t('col.name'), value: (r) => r.name },
          {
            key: 'created',
            label: t('settings.token.created'),
            value: (r) => r.createdAt,
            csv: (r) => ({ time: r.createdAt }),
            render: (r) => formatDateTime(r.createdAt, lang),
          },
          {
            key: 'expires',
            label: t('settings.token.expires'),
            value: (r) => r.expiresAt,
            csv: (r) => ({ time: r.expiresAt }),
            render: (r) =>
              r.status === 'expired'
                ? `${formatDateTime(r.expiresAt, lang)} (${t('settings.token.expired')})`
                : formatDateTime(r.expiresAt, lang),
          },
          {
            key: 'used',
            label: t('settings.token.lastUsed'),
            value: (r) => r.lastUsedAt ?? '',
            csv: (r) => (r.lastUsedAt ? { time: r.lastUsedAt } : undefined),
            render: (r) => (r.lastUsedAt ? formatDateTime(r.lastUsedAt, lang) : t('settings.token.never')),
          },
          {
            key: 'revoke',
            label: t('common.actions'),
            sortable: false,
            action: true,
            value: () => '',
            render: (r) => (
              <button
                type="button"
                className="btn-small danger"
                onClick={() => revoke(r)}
                aria-label={`${t('settings.token.revoke')}: ${r.username} ${r.name}`}
              >
                {t('settings.token.revoke')}
              </button>
            ),
          },
        ]}
      />
      <FormMessage msg={msg} />
      <form onSubmit={create} className="form-row" data-testid="new-token">
        <label className="field">
          <span>{t('col.name')}</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
            name="tokenName"
          />
        </label>
        <label className="field">
          <span>{t('settings.token.validity')}</span>
          <input
            type="number"
            inputMode="numeric"
            min={API_TOKEN_DAYS.min}
            max={API_TOKEN_DAYS.max}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            name="tokenDays"
          />
        </label>
        <button type="submit" className="btn-primary" disabled={!name.trim()}>
          {t('settings.newToken')}
        </button>
      </form>
    </section>
  );
}

type AuditRow = AuditEntry;

/** What people did through the API, newest first (admin only), 50 at a time. */
function AuditLog() {
  const { t, lang } = useI18n();
  const [before, setBefore] = useState<number>();
  const page = useApi<{ entries: AuditRow[]; next: number | null }>(
    `/api/v1/audit?limit=50${before !== undefined ? `&before=${before}` : ''}`,
  );
  const [rows, setRows] = useState<AuditRow[]>([]);
  useEffect(() => {
    if (!page.data) return;
    const entries = page.data.entries;
    setRows((r) =>
      before === undefined ? entries : [...r, ...entries.filter((e) => !r.some((x) => x.id === e.id))],
    );
  }, [page.data, before]);
  return (
    <section className="card" aria-labelledby="au-h" data-testid="audit-log">
      <h2 id="au-h">{t('settings.audit')}</h2>
      <p className="help">{t('settings.audit.explain')}</p>
      {page.error && (
        <ErrorBox
          message={errorMessage(page.error, t)}
          onRetry={page.reload}
          retryLabel={t('common.retry')}
        />
      )}
      <DataTable
        caption={t('settings.audit')}
        csvName="sluimer-auditlog"
        rows={rows}
        rowKey={(r) => String(r.id)}
        empty={t('empty.noData')}
        columns={[
          {
            key: 'at',
            label: lang === 'nl' ? 'Wanneer' : 'When',
            value: (r) => r.at,
            csv: (r) => ({ time: r.at }),
            render: (r) => formatDateTime(r.at, lang),
          },
          { key: 'who', label: lang === 'nl' ? 'Wie' : 'Who', value: (r) => r.username ?? '—' },
          {
            key: 'what',
            label: lang === 'nl' ? 'Wat' : 'What',
            value: (r) => `${r.method} ${r.route}`,
            render: (r) => (
              <code>
                {r.method} {r.route.replace(':id', String(r.targetId ?? ':id'))}
              </code>
            ),
          },
          {
            key: 'status',
            label: lang === 'nl' ? 'Resultaat' : 'Result',
            numeric: true,
            value: (r) => r.status,
          },
          { key: 'ip', label: lang === 'nl' ? 'Adres' : 'Address', value: (r) => r.ip },
        ]}
      />
      {page.data?.next != null && (
        <button type="button" className="btn-small" onClick={() => setBefore(page.data?.next ?? undefined)}>
          {t('settings.audit.more')}
        </button>
      )}
    </section>
  );
}
