/**
 * Everything that waits for an adult, for every page: pupils asking for help (teachers in
 * the room and the DSL) and new concerns (the DSL). One live connection per tab. Whenever
 * it (re)connects the lists are read again and replace what the tab had, so a reconnect
 * never shows anything twice and a concern recorded while the DSL was away appears as
 * soon as they are back. A concern this tab has shown while visible is reported as
 * received, once per tab; the server keeps only the first (another tab, another deputy).
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { can, type ConcernAlert, type ConcernReceipt, type TellAlert } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { flagsChangedEvent } from '../components/FlagList';
import { createDashboardSocket } from '../live';

export interface Alerts {
  tell: TellAlert[];
  concerns: ConcernAlert[];
  /** Receipts pushed to this user since the page opened, by incident. */
  receipts: Record<string, ConcernReceipt>;
  /** False while the live connection is down (the lists are then as they were). */
  live: boolean;
  error: unknown;
  updateTell: (alert: TellAlert) => void;
  /** A concern this tab acknowledged: drop it now (the push tells the other tabs). */
  settle: (incidentId: string) => void;
}

const empty: Alerts = {
  tell: [],
  concerns: [],
  receipts: {},
  live: false,
  error: null,
  updateTell: () => undefined,
  settle: () => undefined,
};
const AlertsContext = createContext<Alerts>(empty);

export const useAlerts = () => useContext(AlertsContext);

function upsertTell(list: TellAlert[], alert: TellAlert): TellAlert[] {
  const others = list.filter((a) => a.incidentId !== alert.incidentId);
  return alert.status === 'released' ? others : [...others, alert];
}

/** How often the waiting concerns are read again anyway (a flag triaged in another tab). */
const rereadMs = 30_000;

export function AlertsProvider({ children }: { children: ReactNode }) {
  const user = useUser();
  const mayTell = can(user.role, 'viewIncidents');
  const mayConcerns = can(user.role, 'manageIncidents');
  const [tell, setTell] = useState<TellAlert[]>([]);
  const [concerns, setConcerns] = useState<ConcernAlert[]>([]);
  const [receipts, setReceipts] = useState<Record<string, ConcernReceipt>>({});
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  const reported = useRef(new Set<string>());

  useEffect(() => {
    if (!mayTell) return;
    let disposed = false;
    const socket = createDashboardSocket();
    // Pushes that arrive while a read is on its way are kept, not overwritten by an older answer.
    let pushedSince = new Map<string, ConcernAlert | null>();
    const loadConcerns = () => {
      if (!mayConcerns) return;
      pushedSince = new Map();
      const pushed = pushedSince;
      api.get<{ concerns: ConcernAlert[] }>('/api/concerns').then(
        (d) => {
          if (disposed) return;
          const byId = new Map(d.concerns.map((c) => [c.incidentId, c]));
          for (const [id, c] of pushed) {
            if (c) byId.set(id, c);
            else byId.delete(id);
          }
          setConcerns([...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
          setError(null);
        },
        (e: unknown) => {
          if (!disposed) setError(e);
        },
      );
    };
    const loadTell = () =>
      api.get<{ alerts: TellAlert[] }>('/api/tell/alerts').then(
        (d) => {
          if (!disposed) setTell(d.alerts);
        },
        (e: unknown) => {
          if (!disposed) setError(e);
        },
      );
    socket.on('connect', () => {
      setLive(true);
      void loadTell();
      loadConcerns();
    });
    socket.on('disconnect', () => setLive(false));
    socket.on('tell:alert', (alert) => setTell((list) => upsertTell(list, alert)));
    socket.on('concern:new', (c) => {
      pushedSince.set(c.incidentId, c);
      setConcerns((list) => [c, ...list.filter((x) => x.incidentId !== c.incidentId)]);
    });
    socket.on('concern:settled', ({ incidentId }) => {
      pushedSince.set(incidentId, null);
      setConcerns((list) => list.filter((x) => x.incidentId !== incidentId));
    });
    socket.on('concern:receipt', (r) => setReceipts((all) => ({ ...all, [r.incidentId]: r })));
    const timer = mayConcerns ? window.setInterval(loadConcerns, rereadMs) : undefined;
    if (mayConcerns) window.addEventListener(flagsChangedEvent, loadConcerns);
    return () => {
      disposed = true;
      window.clearInterval(timer);
      window.removeEventListener(flagsChangedEvent, loadConcerns);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [mayTell, mayConcerns]);

  useEffect(() => {
    const onVisibility = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  // "Received by the DSL" means a DSL's screen showed it: report each concern once this tab is visible.
  useEffect(() => {
    if (!mayConcerns || !visible) return;
    for (const c of concerns) {
      if (reported.current.has(c.incidentId)) continue;
      reported.current.add(c.incidentId);
      api.post(`/api/concerns/${c.incidentId}/received`).catch(() => {
        // Try again next time the list changes or the tab is shown.
        reported.current.delete(c.incidentId);
      });
    }
  }, [concerns, visible, mayConcerns]);

  const value = useMemo<Alerts>(
    () => ({
      tell,
      concerns,
      receipts,
      live,
      error,
      updateTell: (alert) => setTell((list) => upsertTell(list, alert)),
      settle: (incidentId) => setConcerns((list) => list.filter((c) => c.incidentId !== incidentId)),
    }),
    [tell, concerns, receipts, live, error],
  );
  return <AlertsContext.Provider value={value}>{children}</AlertsContext.Provider>;
}
