/**
 * Connects activity and flags to the rest of the server: live pushes to staff, config
 * pushes to agents, hooks other features register on flags, and the retention sweep.
 */
import type { DeviceActivity, Flag } from '@harbour/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { purgeOldActivity } from './activity.js';
import { seedStarterWatchlist } from './watchlists.js';

export interface ActivityPushes {
  activity(activity: DeviceActivity): void;
  flag(flag: Flag): void;
  /** Tells every connected agent to fetch settings and watch lists again. */
  configChanged(): void;
}

/** Runs inside the transaction that stores a flag; a throw rolls the flag back (the agent retries). */
export type FlagStoredHook = (trx: Db, flag: Flag) => Promise<void>;
export type FlagRaisedListener = (flag: Flag) => void;

export class ActivityHub {
  private readonly storedHooks: FlagStoredHook[] = [];
  private readonly raisedListeners: FlagRaisedListener[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly pushes: ActivityPushes,
    private readonly log: Logger,
  ) {}

  /** Seeds the starter watch list on first start and purges old activity now and hourly. */
  async start(): Promise<void> {
    await seedStarterWatchlist(this.db);
    await this.purge();
    this.sweeper = setInterval(() => void this.purge(), 3600_000);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  async purge(): Promise<void> {
    try {
      const removed = await purgeOldActivity(this.db);
      if (removed > 0) this.log.info({ removed }, 'old activity purged');
    } catch (error) {
      this.log.error({ err: error }, 'activity purge failed');
    }
  }

  /** For other features (incidents): run `hook` in the transaction that stores each flag. */
  onFlagStored(hook: FlagStoredHook): void {
    this.storedHooks.push(hook);
  }

  /** For other features: be told of each new flag once it is stored. */
  onFlagRaised(listener: FlagRaisedListener): void {
    this.raisedListeners.push(listener);
  }

  async flagStored(trx: Db, flag: Flag): Promise<void> {
    for (const hook of this.storedHooks) await hook(trx, flag);
  }

  flagRaised(flag: Flag): void {
    this.pushes.flag(flag);
    for (const listener of this.raisedListeners) {
      try {
        listener(flag);
      } catch (error) {
        this.log.error({ err: error, flagId: flag.id }, 'flag listener failed');
      }
    }
  }

  activityChanged(activity: DeviceActivity): void {
    this.pushes.activity(activity);
  }

  configChanged(): void {
    this.pushes.configChanged();
  }
}
