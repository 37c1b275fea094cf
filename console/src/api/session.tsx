import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSignedOut, refreshSession, setTokens } from './client.ts';
import type { Me, Role, SignedIn, User } from './contracts.ts';

export type SessionState =
  | { status: 'checking' }
  /** `byUser`: the person signed out (the next sign-in starts on the dashboard, not where they were). */
  | { status: 'signed-out'; byUser?: boolean }
  | { status: 'signed-in'; user: User; tenant?: Me['tenant']; mfaRequired?: boolean };

interface SessionContextValue {
  session: SessionState;
  signedIn(result: SignedIn): void;
  signOut(): Promise<void>;
  refreshUser(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** What each role may change; the API enforces the same table, this only hides useless buttons. */
export function canWrite(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member';
}

export function canAdminister(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

async function loadMe(): Promise<Me | null> {
  try {
    return await api.get<Me>('/v1/auth/me');
  } catch {
    if (!(await refreshSession())) return null;
    try {
      return await api.get<Me>('/v1/auth/me');
    } catch {
      return null;
    }
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: 'checking' });

  const refreshUser = useCallback(async () => {
    const me = await loadMe();
    setSession(
      me
        ? { status: 'signed-in', user: me.user, tenant: me.tenant, mfaRequired: me.mfaRequired }
        : { status: 'signed-out' },
    );
  }, []);

  useEffect(() => {
    void refreshUser();
    return onSignedOut(() => setSession({ status: 'signed-out' }));
  }, [refreshUser]);

  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      refreshUser,
      signedIn(result) {
        setTokens(result);
        setSession({ status: 'signed-in', user: result.user });
        // The tenant's name and policy come with `me`; fetched in the background.
        void refreshUser();
      },
      async signOut() {
        await api.post('/v1/auth/sign-out').catch(() => undefined);
        setTokens(null);
        setSession({ status: 'signed-out', byUser: true });
      },
    }),
    [session, refreshUser],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user (pages behind the shell only render once there is one). */
export function useUser(): User {
  return useSignedIn().user;
}

export function useSignedIn(): Extract<SessionState, { status: 'signed-in' }> {
  const { session } = useSession();
  if (session.status !== 'signed-in') throw new Error('useSignedIn without a session');
  return session;
}
