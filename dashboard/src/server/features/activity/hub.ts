/**
 * Connects activity and flags to the rest of the server: live pushes to staff, config
 * pushes to agents, hooks other features register on flags, and the retention sweep.
 */
import type { DeviceActivity, Flag, FlagOccurrence } from '@harbour/shared';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import type { SessionUser } from '../../core/identity.js';
import type { Logger } from 'pino';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { purgeOldActivity } from './activity.js';
import { seedStarterWatchlist } from './watchlists.js';
import { noPeople, withPeople, type People } from './people.js';

/**
 * Runs inside the transaction that stores a flag; a throw rolls the flag back (the agent
 * retries). What it returns runs once the flag is committed (an alert about what it wrote).
 */
export type FlagStoredHook = (trx: Db, flag: Flag) => Promise<(() => void) | void>;

/**
 * What the incidents feature does with a flag's concern (it registers this; activity is
 * built first). Each runs inside the transaction that changes the flag.
 */
export interface FlagIncidents {
  /** A repeat hit joined the flag: its screenshots go to the flag's incident (no alert). */
  occurrence(trx: Db, flag: Flag, occurrence: FlagOccurrence): Promise<void>;
  /** The DSL dismissed the flag as a false positive: its incident is closed, saying so. */
  dismissed(trx: Db, flag: Flag, actor: SessionUser, reason: string): Promise<void>;
  /** The DSL took the flag up: returns the incident that records it. */
  escalated(trx: Db, flag: Flag, actor: SessionUser, note: string | undefined): Promise<string>;
  /** The DSL linked the flag to an existing incident (by id or reference): returns its id. */
  linked(
    trx: Db,
    flag: Flag,
    actor: SessionUser,
    incident: string,
    note: string | undefined,
  ): Promise<string>;
}

export class ActivityHub {
  private readonly storedHooks: FlagStoredHook[] = [];
  /** Set by the incidents feature; absent, triage records the flag's status alone. */
  incidents: FlagIncidents | null = null;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly push: Push,
    private readonly log: Logger,
    /** The hourly purge runs on one node of several. */
    private readonly lease: Lease = soleNode,
    /** The roster's pupil behind each login: a pushed flag names the pupil as the REST list does. */
    private readonly people: People = noPeople,
  ) {}

  /** Pushes a flag to the staff watching its room, with the person behind its login. */
  private pushFlag(flag: Flag): void {
    void withPeople(this.people, [flag])
      .then(([named]) => named ?? flag)
      // A roster that cannot be read must not hold a flag back: it goes out with the login alone.
      .catch((error: unknown) => {
        this.log.error({ err: error, flagId: flag.id }, 'could not name the pupil of a flag');
        return flag;
      })
      .then((named) => this.push.toStaff(channel.activity(flag.roomId), 'flag:raised', named));
  }

  /** Seeds the starter watch list on first start and purges old activity now and hourly. */
  async start(): Promise<void> {
    await seedStarterWatchlist(this.db);
    const purge = onceAcrossNodes(this.lease, 'activity-purge', 3600_000, () => this.purge());
    await purge();
    this.sweeper = setInterval(() => void purge().catch(() => undefined), 3600_000);
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

  /** Runs the hooks; returns what each asked to run after commit. */
  async flagStored(trx: Db, flag: Flag): Promise<(() => void)[]> {
    const effects: (() => void)[] = [];
    for (const hook of this.storedHooks) {
      const effect = await hook(trx, flag);
      if (effect) effects.push(effect);
    }
    return effects;
  }

  /** Once a flag is committed: staff watching the room see it, then the hooks' effects run. */
  flagRaised(flag: Flag, effects: readonly (() => void)[]): void {
    this.pushFlag(flag);
    for (const effect of effects) {
      try {
        effect();
      } catch (error) {
        this.log.error({ err: error, flagId: flag.id }, 'flag listener failed');
      }
    }
  }

  /** A repeat joined a flag: staff watching the room see its new count; nobody is alerted again. */
  flagRepeated(flag: Flag): void {
    this.pushFlag(flag);
  }

  /** Batched: a room of 30 pupils changing windows is one message every window, not 30. */
  activityChanged(activity: DeviceActivity): void {
    this.push.toStaffBatched(
      channel.activity(activity.roomId),
      'activity:changes',
      activity,
      activity.deviceId,
    );
  }

  /** Tells every connected agent to fetch settings and watch lists again. */
  configChanged(): void {
    this.push.toAgents(channel.everyAgent, 'activity:config-changed', {});
  }
}
