import type { LoginResponse } from '@sluimer/shared';
import { type FormEvent, useState } from 'react';
import { PasswordField } from '../components/PasswordField.js';
import { ApiError, api } from '../lib/api.js';
import { errorMessage } from '../lib/hooks.js';
import { useI18n } from '../lib/i18n.js';
import { useTitle } from '../lib/router.js';
import type { SessionUser } from '../lib/session.js';

export function LoginPage({ onLogin }: { onLogin: (u: SessionUser) => void }) {
  const { t, lang, setLang } = useI18n();
  useTitle(t('login.title'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const passwordChanged = new URLSearchParams(location.search).has('passwordChanged');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t('login.empty'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body = await api<LoginResponse>(
        'POST',
        '/api/v1/login',
        { username: username.trim(), password },
        { quiet401: true },
      );
      onLogin(body.user);
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.status === 401 || err.status === 400 || err.code === 'unauthorized')
      )
        setError(t('login.bad'));
      else if (err instanceof ApiError && err.code === 'login_locked') {
        const seconds = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
        setError(t('login.locked', { minutes: Math.max(1, Math.ceil(seconds / 60)) }));
      } else if (err instanceof ApiError && err.status === 429) setError(t('login.tooMany'));
      else setError(errorMessage(err, t));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form
        className="card login-card"
        onSubmit={submit}
        noValidate
        aria-describedby={error ? 'login-error' : undefined}
      >
        <div className="login-lang">
          <select
            value={lang}
            onChange={(e) => setLang(e.target.value as 'nl' | 'en')}
            aria-label={t('lang.label')}
          >
            <option value="nl">Nederlands</option>
            <option value="en">English</option>
          </select>
        </div>
        <h1>
          <span className="brand-mark" aria-hidden="true">
            ☾
          </span>{' '}
          {t('login.title')}
        </h1>
        <p className="muted">{t('login.intro')}</p>
        {passwordChanged && !error && (
          <p className="ok" role="status">
            {t('login.passwordChanged')}
          </p>
        )}
        {error && (
          <p id="login-error" className="error-box" role="alert">
            {error}
          </p>
        )}
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={!!error}
            required
          />
        </label>
        <PasswordField
          label={t('login.password')}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          invalid={!!error}
        />
        <button type="submit" className="btn-primary" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
