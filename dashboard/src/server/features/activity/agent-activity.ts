/** What the agent and the live dashboard ask of the activity feature over socket.io. */
import type { AgentActivityConfig, DeviceActivity, Flag } from '@harbour/shared';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { notFound } from '../../core/errors.js';
import { roomExists } from '../devices/index.js';
import { currentActivity } from './activity.js';
import { getActivitySettings } from './settings.js';
import { audit } from '../../core/audit.js';
import { listFlags } from './flags.js';
import { getWatchlist } from './watchlists.js';

export async function agentActivityConfig(db: Db): Promise<AgentActivityConfig> {
  const [settings, watchlist] = await Promise.all([getActivitySettings(db), getWatchlist(db)]);
  return {
    settings,
    watchlist: {
      version: watchlist.version,
      entries: watchlist.entries.map(({ id, kind, pattern, category, severity }) => ({
        id,
        kind,
        pattern,
        category,
        severity,
      })),
    },
  };
}

/** The room's current activity and the last day's flags; audited, as every read of activity is. */
export async function watchRoomActivity(
  db: Db,
  roomId: string,
  user: SessionUser,
): Promise<{ current: DeviceActivity[]; flags: Flag[] }> {
  if (!(await roomExists(db, roomId))) throw notFound('Room');
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const [current, flags] = await Promise.all([
    currentActivity(db, roomId),
    listFlags(db, { roomId, from: since, limit: 50 }),
  ]);
  await audit(db, { actor: user.id, action: 'activity.watch', subject: roomId });
  return { current, flags };
}
