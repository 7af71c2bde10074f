import type { User } from '@sluimer/shared';
import { lazy, type ReactNode, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, onUnauthorized } from './lib/api.js';
import { useI18n } from './lib/i18n.js';
import { LiveProvider, useLive } from './lib/live.js';
import type { MessageKey } from './lib/messages.js';
import { Link, match, navigate, useLocation, useTitle } from './lib/router.js';
import { can, SessionCtx, type SessionUser } from './lib/session.js';
import { LoginPage } from './pages/Login.js';

// pages load on first use, so the login page does not wait for the chart library
const ApiReferencePage = lazy(() =>
  import('./pages/ApiReference.js').then((m) => ({ default: m.ApiReferencePage })),
);
const OverviewPage = lazy(() => import('./pages/Overview.js').then((m) => ({ default: m.OverviewPage })));
const DevicesPage = lazy(() => import('./pages/Devices.js').then((m) => ({ default: m.DevicesPage })));
const DevicePage = lazy(() => import('./pages/Device.js').then((m) => ({ default: m.DevicePage })));
const PoliciesPage = lazy(() => import('./pages/Policies.js').then((m) => ({ default: m.PoliciesPage })));
const GroupsPage = lazy(() => import('./pages/Groups.js').then((m) => ({ default: m.GroupsPage })));
const SettingsPage = lazy(() => import('./pages/Settings.js').then((m) => ({ default: m.SettingsPage })));
const SavingsPage = lazy(() => import('./pages/Savings.js').then((m) => ({ default: m.SavingsPage })));
const AccountPage = lazy(() => import('./pages/Account.js').then((m) => ({ default: m.AccountPage })));
const LifecyclePage = lazy(() => import('./pages/Lifecycle.js').then((m) => ({ default: m.LifecyclePage })));
const AnnualReportPage = lazy(() =>
  import('./pages/AnnualReport.js').then((m) => ({ default: m.AnnualReportPage })),
);

const NAV: { to: string; key: MessageKey; visible: (u: SessionUser) => boolean }[] = [
  { to: '/', key: 'nav.overview', visible: () => true },
  { to: '/devices', key: 'nav.devices', visible: (u) => can.editDevices(u.role) },
  { to: '/policies', key: 'nav.policies', visible: (u) => can.editPolicies(u.role) },
  { to: '/groups', key: 'nav.groups', visible: () => true },
  { to: '/lifecycle', key: 'nav.lifecycle', visible: () => true },
  { to: '/report', key: 'nav.report', visible: () => true },
  { to: '/savings', key: 'nav.savings', visible: () => true },
  { to: '/settings', key: 'nav.settings', visible: (u) => can.seeSettings(u.role) },
];

export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    api<User>('GET', '/api/v1/me', undefined, { quiet401: true }).then(
      (u) => setUser(u),
      () => setUser(null),
    );
  }, []);
  useEffect(() => onUnauthorized(() => setUser(null)), []);

  const logout = useCallback(() => {
    api('POST', '/api/v1/logout').catch(() => {});
    setUser(null);
    navigate('/login');
  }, []);

  if (user === undefined) return <div className="boot" aria-busy="true" />;
  if (user === null || path === '/login') {
    return (
      <LoginPage
        onLogin={(u) => {
          setUser(u);
          const next = new URLSearchParams(location.search).get('next');
          navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', true);
        }}
      />
    );
  }
  return (
    <SessionCtx.Provider value={{ user, logout }}>
      <LiveProvider enabled>
        <Shell user={user} path={path} onLogout={logout}>
          <Suspense
            fallback={
              <main id="main" className="page" aria-busy="true">
                <Loading />
              </main>
            }
          >
            <Routes path={path} user={user} />
          </Suspense>
        </Shell>
      </LiveProvider>
    </SessionCtx.Provider>
  );
}

function Routes({ path, user }: { path: string; user: SessionUser }) {
  if (path === '/' || path === '/overview') return <OverviewPage />;
  const staff = can.editDevices(user.role);
  const dev = match('/devices/:id', path);
  if (path === '/devices' || dev) {
    if (!staff) return <NotForRole role={user.role} forRoles="staff" />;
    return dev ? <DevicePage id={Number(dev.id)} /> : <DevicesPage />;
  }
  if (path === '/policies')
    return staff ? <PoliciesPage /> : <NotForRole role={user.role} forRoles="staff" />;
  if (path === '/groups') return <GroupsPage />;
  if (path === '/lifecycle') return <LifecyclePage />;
  if (path === '/report') return <AnnualReportPage />;
  if (path === '/savings') return <SavingsPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/api-reference') return <ApiReferencePage />;
  if (path === '/settings')
    return can.seeSettings(user.role) ? <SettingsPage /> : <NotForRole role={user.role} forRoles="admin" />;
  return <NotFound />;
}

/** A page that exists but not for this role: say so, instead of "not found". */
function NotForRole({ role, forRoles }: { role: SessionUser['role']; forRoles: 'staff' | 'admin' }) {
  const { t } = useI18n();
  useTitle(t('error.notForRole.title'));
  return (
    <main id="main" className="page" data-testid="not-for-role">
      <h1>{t('error.notForRole.title')}</h1>
      <p>
        {t('error.notForRole', {
          roles: t(`error.notForRole.${forRoles}`),
          role: t(`role.${role}` as MessageKey),
        })}
      </p>
      <Link to="/">{t('nav.overview')}</Link>
    </main>
  );
}

function NotFound() {
  const { t } = useI18n();
  useTitle(t('error.notFound'));
  return (
    <main id="main" className="page">
      <h1>{t('error.notFound')}</h1>
      <Link to="/">{t('nav.overview')}</Link>
    </main>
  );
}

/**
 * After a navigation inside the app, move focus to the new page's heading so a screen reader
 * announces where you are and Tab continues from the top of the page (pages load lazily and some
 * headings appear after their data, so it waits up to two seconds for one).
 */
function useFocusHeadingOnNavigate(path: string) {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation (path change)
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // the old page's heading may still be there while the new page loads: wait for a new one, and
    // take the same one only after a while (a page that stays, such as one device to another)
    const before = document.querySelector('#main h1');
    const tryFocus = () => {
      const h = document.querySelector<HTMLElement>('#main h1');
      if (h && (h !== before || tries >= 10)) {
        if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
        h.focus({ preventScroll: true });
        return;
      }
      if (++tries < 40) timer = setTimeout(tryFocus, 50);
    };
    tryFocus();
    return () => clearTimeout(timer);
  }, [path]);
}

function Shell({
  user,
  path,
  onLogout,
  children,
}: {
  user: SessionUser;
  path: string;
  onLogout: () => void;
  children: ReactNode;
}) {
  const { t, lang, setLang } = useI18n();
  const { connected } = useLive();
  const [menuOpen, setMenuOpen] = useState(false);
  useFocusHeadingOnNavigate(path);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the menu on every navigation
  useEffect(() => setMenuOpen(false), [path]);
  const active = (to: string) => (to === '/' ? path === '/' || path === '/overview' : path.startsWith(to));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Sluimer">
          <span className="brand-mark" aria-hidden="true">
            ☾
          </span>{' '}
          Sluimer
        </Link>
        <button
          type="button"
          className="menu-btn"
          aria-expanded={menuOpen}
          aria-controls="mainnav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {t('nav.menu')}
        </button>
        <nav id="mainnav" className={`mainnav${menuOpen ? ' open' : ''}`} aria-label={t('nav.menu')}>
          <ul>
            {NAV.filter((n) => n.visible(user)).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={active(n.to) ? 'page' : undefined}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
          <div className="nav-tools">
            <span
              className={`live-dot${connected ? ' on' : ''}`}
              title={connected ? t('common.live') : t('common.liveOff')}
            >
              <span className="sr-only">{connected ? t('common.live') : t('common.liveOff')}</span>
            </span>
            <label className="lang">
              <span className="sr-only">{t('lang.label')}</span>
              <select
                value={lang}
                onChange={(e) => setLang(e.target.value as 'nl' | 'en')}
                aria-label={t('lang.label')}
              >
                <option value="nl">Nederlands</option>
                <option value="en">English</option>
              </select>
            </label>
            <Link
              to="/account"
              className="who"
              data-testid="who"
              title={t('account.link', { user: user.username })}
            >
              {/* the visible text is the accessible name (WCAG 2.5.3); the title says where it leads */}
              {user.username} · {t(`role.${user.role}` as MessageKey)}
            </Link>
            <button type="button" className="btn-small" onClick={onLogout}>
              {t('nav.logout')}
            </button>
          </div>
        </nav>
      </header>
      {children}
    </div>
  );
}

function Loading() {
  const { t } = useI18n();
  return <p>{t('common.loading')}</p>;
}
