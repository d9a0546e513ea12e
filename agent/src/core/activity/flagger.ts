import { compileWatchlist, type AgentWatchEntry, type WatchMatch, type WatchTarget } from '@harbour/shared';

/**
 * Matches each sample against the watch list and decides whether it is a new flag: one
 * flag per entry per page visit. A visit is one page (its URL, or the window's title for
 * other applications) for as long as it stays in front; leaving it and coming back is a
 * new visit. So a pupil sitting on a watched page raises one flag, not one a second.
 */
export class Flagger {
  private match: (target: WatchTarget) => WatchMatch | null = () => null;
  private visit = '';
  private flagged = new Set<string>();

  setEntries(entries: readonly AgentWatchEntry[]): void {
    this.match = compileWatchlist(entries);
  }

  /** The match to flag now, or null (nothing matched, or this visit already flagged it). */
  check(app: string, target: WatchTarget): WatchMatch | null {
    const visit = target.url ?? `${app}\u0000${target.title ?? ''}`;
    if (visit !== this.visit) {
      this.visit = visit;
      this.flagged = new Set();
    }
    const found = this.match(target);
    if (!found || this.flagged.has(found.entry.id)) return null;
    this.flagged.add(found.entry.id);
    return found;
  }

  /** The pupil left whatever was in front (locked, idle, signed out). */
  reset(): void {
    this.visit = '';
    this.flagged = new Set();
  }
}
