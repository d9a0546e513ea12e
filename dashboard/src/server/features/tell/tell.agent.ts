/** The agent's tell requests: release at the computer, settings, and status after a reconnection. */
import type { agentRequests } from '@harbour/shared';
import type { ServerContext } from '../../context.js';
import { getSetting } from '../incidents/settings.js';
import { releaseAtComputer } from './tell.js';
import type { Handlers } from '../../realtime/dispatch.js';

type TellRequests = Pick<
  typeof agentRequests,
  'agent:tell-release' | 'agent:tell-settings' | 'agent:tell-status'
>;

export function tellAgentHandlers(ctx: ServerContext): Handlers<TellRequests, string> {
  return {
    'agent:tell-release': async ({ tellId, pin }, deviceId) => {
      const result = await releaseAtComputer(ctx.db, deviceId, tellId, pin);
      if (result.released && result.row) await ctx.incidentEvents.tellChanged(result.row.id);
      return { released: result.released, message: result.message };
    },
    'agent:tell-settings': async () => ({
      pupilsMayRelease: await getSetting(ctx.db, 'pupilsMayRelease'),
      staffPinSet: (await getSetting(ctx.db, 'staffPinHash')) !== null,
    }),
    'agent:tell-status': async ({ tellId }, deviceId) => {
      const row = await ctx.db
        .selectFrom('incidents')
        .select(['tell_status', 'tell_acknowledged_by'])
        .where('tell_id', '=', tellId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      return { status: row?.tell_status ?? 'pending', by: row?.tell_acknowledged_by ?? null };
    },
  };
}
