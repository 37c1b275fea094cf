import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSignedOut, refreshSession, setAccessToken } from './client.ts';
import type { Role, SignedIn, User } from './contracts.ts';

export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User };

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

async function loadMe(): Promise<User | null> {
  try {
    return (await api.get<{ user: User }>('/v1/auth/me')).user;
  } catch {
    if (!(await refreshSession())) return null;
    try {
      return (await api.get<{ user: User }>('/v1/auth/me')).user;
    } catch {
      return null;
    }
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: 'checking' });

  const refreshUser = useCallback(async () => {
    const user = await loadMe();
    setSession(user ? { status: 'signed-in', user } : { status: 'signed-out' });
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
        setAccessToken(result.accessToken);
        setSession({ status: 'signed-in', user: result.user });
      },
      async signOut() {
        await api.post('/v1/auth/sign-out').catch(() => undefined);
        setAccessToken(null);
        setSession({ status: 'signed-out' });
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
  const { session } = useSession();
  if (session.status !== 'signed-in') throw new Error('useUser without a session');
  return session.user;
}
