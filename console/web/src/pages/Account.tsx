import { ChangePasswordRequestSchema } from '@sluimer/shared';
import { type FormEvent, useState } from 'react';
import { PasswordField } from '../components/PasswordField.js';
import { ApiError, api } from '../lib/api.js';
import { errorMessage } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { Link, navigate, useTitle } from '../lib/router.js';
import { useSession } from '../lib/session.js';

/** Your own account: change your password (which ends every session and revokes your API tokens). */
export function AccountPage() {
  const { t } = useI18n();
  const { user, logout } = useSession();
  useTitle(t('account.title'));
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setError(t('account.mismatch'));
      return;
    }
    const body = ChangePasswordRequestSchema.safeParse({ currentPassword: current, newPassword: next });
    if (!body.success) {
      setError(
        t(body.error.issues.some((i) => i.path[0] === 'newPassword') ? 'account.tooShort' : 'login.empty'),
      );
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/v1/me/password', body.data);
      // every session ended, this one too: back to the login page with a word of explanation
      logout();
      navigate('/login?passwordChanged=1', true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setError(t('account.wrongCurrent'));
      else if (err instanceof ApiError && err.code === 'login_locked') {
        const seconds = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
        setError(t('login.locked', { minutes: Math.max(1, Math.ceil(seconds / 60)) }));
      } else setError(errorMessage(err, t));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page">
      <h1>{t('account.title')}</h1>
      <section className="card" aria-labelledby="pw-h" data-testid="account-password">
        <h2 id="pw-h">{t('account.password')}</h2>
        <p className="help">{t('account.explain', { user: user.username })}</p>
        <form onSubmit={submit} className="stack" noValidate>
          <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
          <PasswordField
            label={t('account.current')}
            name="currentPassword"
            autoComplete="current-password"
            value={current}
            onChange={setCurrent}
          />
          <PasswordField
            label={t('account.new')}
            name="newPassword"
            autoComplete="new-password"
            minLength={10}
            value={next}
            onChange={setNext}
          />
          <PasswordField
            label={t('account.repeat')}
            name="repeatPassword"
            autoComplete="new-password"
            value={repeat}
            onChange={setRepeat}
          />
          {error && (
            <p className="error-box" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn-primary" disabled={busy}>
            {t('account.submit')}
          </button>
        </form>
      </section>
      <p>
        <Link to="/api-reference">{t('apiref.link')}</Link>
      </p>
    </main>
  );
}
