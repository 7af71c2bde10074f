import type { GoogleAdminAnswer } from '@sluimer/shared';
import { useApi } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import type { MessageKey } from '../lib/messages.js';

/**
 * Per group with Chromebooks: the Google Admin settings that make ChromeOS follow the group's policy
 * (GET /api/v1/groups/:id/google-admin), and which Chromebooks measurably do not. Hidden for groups
 * without Chromebooks.
 */
export function GoogleAdminPanel({ groupId }: { groupId: number }) {
  const { t } = useI18n();
  const view = useApi<GoogleAdminAnswer>(`/api/v1/groups/${groupId}/google-admin`);
  const v = view.data;
  if (!v || v.chromebooks.length === 0) return null;
  return (
    <section className="card" aria-labelledby="gadm-h" data-testid="google-admin">
      <h2 id="gadm-h">{t('chromeos.title')}</h2>
      <p>{t('chromeos.intro')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('chromeos.where')}</th>
            <th scope="col">{t('chromeos.field')}</th>
            <th scope="col">{t('chromeos.value')}</th>
          </tr>
        </thead>
        <tbody>
          {v.settings.map((s) => (
            <tr key={s.field}>
              <td>{s.path}</td>
              <td>{s.field}</td>
              <td>{s.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {v.idleSettingsJson && (
        <>
          <p>{t('chromeos.json')}</p>
          <pre>{JSON.stringify(v.idleSettingsJson, null, 2)}</pre>
        </>
      )}
      {v.unmapped.length > 0 && (
        <ul>
          {v.unmapped.map((u) => (
            <li key={u}>{t(`chromeos.unmapped.${u}` as MessageKey)}</li>
          ))}
        </ul>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('chromeos.device')}</th>
            <th scope="col">{t('chromeos.status')}</th>
            <th scope="col">{t('chromeos.longestIdle')}</th>
          </tr>
        </thead>
        <tbody>
          {v.chromebooks.map((c) => (
            <tr key={c.deviceId}>
              <td>{c.name}</td>
              <td>{c.notInForce ? t('chromeos.notInForce') : t('chromeos.inForce')}</td>
              <td>{c.overruns > 0 ? c.longestIdleMin : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
