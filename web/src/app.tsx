/** The shell: who is signed in, the header, the offline banner and the page for the route. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized } from './api/client.js';
import type { Session } from './api/types.js';
import { NeedsAdmin } from './admin/needs-admin.js';
import { RetentionPage } from './admin/retention.js';
import { StreamsAdminPage } from './admin/streams-admin.js';
import { UsersPage } from './admin/users-page.js';
import { ErrorBox, Loading } from './components/states.js';
import { stopExports } from './exports/exports-store.js';
import { ExportsPage } from './pages/exports.js';
import { SignInPage } from './pages/sign-in.js';
import { StreamPage } from './pages/stream.js';
import { StreamsPage } from './pages/streams.js';
import { hrefs, isAdminPage, navigate, useRoute, type Route } from './router.js';

type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; session: Session }
  | { kind: 'error'; error: unknown };

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function Header({ session, route, onSignOut }: { session: Session; route: Route; onSignOut: () => void }) {
  return (
    <header class="topbar">
      <a class="brand" href={hrefs.streams()}>
        Vigil
      </a>
      <nav>
        <a
          href={hrefs.streams()}
          aria-current={route.page === 'streams' || route.page === 'stream' ? 'page' : undefined}
        >
          Streams
        </a>
        {session.role !== 'viewer' && (
          <a href={hrefs.exports()} aria-current={route.page === 'exports' ? 'page' : undefined}>
            Exports
          </a>
        )}
        {session.role === 'admin' && (
          <>
            <a
              href={hrefs.adminStreams()}
              data-nav="admin"
              aria-current={route.page === 'admin-streams' ? 'page' : undefined}
            >
              Manage streams
            </a>
            <a
              href={hrefs.adminUsers()}
              data-nav="admin"
              aria-current={route.page === 'admin-users' ? 'page' : undefined}
            >
              Users and keys
            </a>
            <a
              href={hrefs.adminRetention()}
              data-nav="admin"
              aria-current={route.page === 'admin-retention' ? 'page' : undefined}
            >
              Retention
            </a>
          </>
        )}
      </nav>
      <span class="who" title={`role: ${session.role}`}>
        {session.user} · {session.role}
      </span>
      <button type="button" class="link" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

export function App() {
  const route = useRoute();
  const online = useOnline();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });

  const loadSession = () => {
    setState({ kind: 'loading' });
    api.currentSession().then(
      (session) => setState({ kind: 'signed-in', session }),
      (error: unknown) =>
        setState(error instanceof ApiError && error.status === 401 ? { kind: 'signed-out' } : { kind: 'error', error }),
    );
  };

  useEffect(loadSession, []);
  useEffect(
    () =>
      onUnauthorized(() => {
        stopExports();
        setState({ kind: 'signed-out' });
      }),
    [],
  );
  useEffect(() => {
    if (state.kind === 'signed-out' && route.page !== 'signin') {
      navigate(`/signin?next=${encodeURIComponent(currentPath())}`);
    }
  }, [state.kind, route.page]);

  const banner = !online && (
    <div class="banner" role="status">
      This device is offline; the page will catch up when it is back.
    </div>
  );

  if (state.kind === 'loading') return <Loading what="Vigil" />;
  if (state.kind === 'error') {
    return (
      <main class="page">
        {banner}
        <ErrorBox error={state.error} onRetry={loadSession} />
      </main>
    );
  }
  if (state.kind === 'signed-out' || route.page === 'signin') {
    if (state.kind === 'signed-in' && route.page === 'signin') {
      navigate(route.next);
      return null;
    }
    return (
      <>
        {banner}
        <SignInPage
          onSignedIn={(session) => {
            setState({ kind: 'signed-in', session });
            navigate(route.page === 'signin' ? route.next : currentPath());
          }}
        />
      </>
    );
  }

  const { session } = state;
  const signOut = () => {
    void api.signOut().finally(() => {
      stopExports();
      setState({ kind: 'signed-out' });
    });
  };
  return (
    <>
      <Header session={session} route={route} onSignOut={signOut} />
      {banner}
      {route.page === 'streams' && <StreamsPage session={session} />}
      {route.page === 'stream' && <StreamPage key={route.name} name={route.name} session={session} />}
      {route.page === 'exports' && <ExportsPage />}
      {isAdminPage(route) && session.role !== 'admin' && <NeedsAdmin session={session} />}
      {session.role === 'admin' && route.page === 'admin-streams' && <StreamsAdminPage />}
      {session.role === 'admin' && route.page === 'admin-users' && <UsersPage />}
      {session.role === 'admin' && route.page === 'admin-retention' && <RetentionPage />}
    </>
  );
}
