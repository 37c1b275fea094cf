import { Suspense, useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useSession, useSignedIn } from '../api/session.tsx';
import { Loading } from './states.tsx';

const NAV: { to: string; label: string; group: string }[] = [
  { to: '/', label: 'Dashboard', group: 'Monitor' },
  { to: '/calls', label: 'Calls', group: 'Monitor' },
  { to: '/agents', label: 'Agents', group: 'Build' },
  { to: '/phone-numbers', label: 'Phone numbers', group: 'Build' },
  { to: '/knowledge-bases', label: 'Knowledge bases', group: 'Build' },
  { to: '/campaigns', label: 'Campaigns', group: 'Outbound' },
  { to: '/do-not-call', label: 'Do not call', group: 'Outbound' },
  { to: '/api-keys', label: 'API keys', group: 'Developers' },
  { to: '/webhooks', label: 'Webhooks', group: 'Developers' },
  { to: '/exports', label: 'Exports', group: 'Developers' },
  { to: '/usage', label: 'Usage & billing', group: 'Account' },
  { to: '/team', label: 'Team', group: 'Account' },
  { to: '/settings', label: 'Settings', group: 'Account' },
];
const GROUPS = [...new Set(NAV.map((n) => n.group))];

/** The signed-in frame: navigation (a drawer on narrow screens), the user menu and the page. */
export function Shell() {
  const { user, tenant } = useSignedIn();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the drawer on every navigation.
  useEffect(() => setOpen(false), [location.pathname]);

  return (
    <div className={`shell ${open ? 'nav-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="sidebar"
          onClick={() => setOpen((v) => !v)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          ai-caller
        </span>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main">
        <div className="brand sidebar-brand">
          <span className="brand-mark" aria-hidden="true" />
          ai-caller
        </div>
        {tenant && <p className="sidebar-tenant">{tenant.name}</p>}
        {GROUPS.map((group) => (
          <div className="nav-group" key={group}>
            <p className="nav-group-label">{group}</p>
            <ul>
              {NAV.filter((n) => n.group === group).map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.to === '/'} className="nav-link">
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
        <div className="sidebar-user">
          <div className="avatar" aria-hidden="true">
            {(user.name || user.email).charAt(0).toUpperCase()}
          </div>
          <div className="sidebar-user-text">
            <span className="sidebar-user-name">{user.name || user.email}</span>
            <span className="muted small">{user.role}</span>
          </div>
          <button type="button" className="button button-ghost button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
