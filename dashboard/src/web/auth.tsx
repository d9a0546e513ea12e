/**
 * Who is signed in. On start it asks the server whether Harbour needs first-run
 * setup and, if not, who the session belongs to; pages read the result from here.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me, SessionState, User } from '@harbour/shared';
import { ApiRequestError, api, setSessionEndedHandler } from './api';
import { applySchoolDefault, isLanguage } from './i18n';

export type AuthState =
  | { status: 'loading' }
  | { status: 'unavailable'; error: unknown }
  | { status: 'needsSetup' }
  | { status: 'signedOut'; sessionEnded: boolean }
  | { status: 'signedIn'; user: User; session: SessionState };

interface AuthContextValue {
  state: AuthState;
  /** Records a successful sign-in (or setup); without the session's state, asks the server for it. */
  signedIn: (user: User, session?: SessionState) => Promise<void>;
  /** Signs out on the server, then locally; throws (staying signed in) if the server could not be told. */
  signOut: () => Promise<void>;
  /** The session ended on the server (expired, or the account was disabled). */
  sessionEnded: () => void;
  /** Asks the server again who is signed in (after a refused or dropped connection). */
  refresh: () => Promise<void>;
}

/** What a session without a second factor may do, for a server that does not say. */
const noSecondFactor: SessionState = {
  secondFactor: false,
  restriction: null,
  recordsNeedSecondFactor: false,
};

const AuthContext = createContext<AuthContextValue | undefined>(undefined);

async function loadState(): Promise<AuthState> {
  try {
    const { needsSetup, language } = await api.get<{ needsSetup: boolean; language?: string }>('/api/setup');
    applySchoolDefault(isLanguage(language) ? language : null);
    if (needsSetup) return { status: 'needsSetup' };
    const { user, session } = await api.get<Me>('/api/auth/me');
    return { status: 'signedIn', user, session: session ?? noSecondFactor };
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 401) {
      return { status: 'signedOut', sessionEnded: false };
    }
    return { status: 'unavailable', error };
  }
}

/** Combines a fresh answer from the server with what the page already knew. */
function settle(previous: AuthState, next: AuthState): AuthState {
  // A passing network problem must not throw a signed-in user out of the page they are on.
  if (previous.status === 'signedIn' && next.status === 'unavailable') return previous;
  // Someone who was signed in (or already told their session ended) is told why they are out.
  const wasIn = previous.status === 'signedIn' || (previous.status === 'signedOut' && previous.sessionEnded);
  if (next.status === 'signedOut' && wasIn) return { status: 'signedOut', sessionEnded: true };
  return next;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    const next = await loadState();
    setState((previous) => settle(previous, next));
  }, []);

  const sessionEnded = useCallback(() => {
    setState((previous) =>
      previous.status === 'signedIn' ? { status: 'signedOut', sessionEnded: true } : previous,
    );
  }, []);

  const signedIn = useCallback(
    async (user: User, session?: SessionState) => {
      // The sign-in's answer names the user only; what they must do first (a new password,
      // a second factor) comes from /api/auth/me, and no page shows until it is known.
      if (session) setState({ status: 'signedIn', user, session });
      else await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } catch (error) {
      // Already signed out on the server is fine; anything else must not leave a live
      // session behind on a shared classroom computer, so say so and stay put.
      if (!(error instanceof ApiRequestError && error.status === 401)) throw error;
    }
    setState({ status: 'signedOut', sessionEnded: false });
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    setSessionEndedHandler(sessionEnded);
    return () => setSessionEndedHandler(undefined);
  }, [sessionEnded]);

  const value = useMemo(
    () => ({ state, signedIn, signOut, sessionEnded, refresh }),
    [state, signedIn, signOut, sessionEnded, refresh],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

/** The signed-in user; only for pages behind the sign-in gate. */
export function useUser(): User {
  const { state } = useAuth();
  if (state.status !== 'signedIn') throw new Error('useUser needs a signed-in user');
  return state.user;
}
