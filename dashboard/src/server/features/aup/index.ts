/**
 * Acceptable use policies: documents and versions, audience rules and yearly expiry, the
 * acceptance register, pushes to agents, and each signed-in user's standing in live room
 * views and the inventory. Tables `aup_audiences`, `aup_documents`, `aup_settings`, `aup_decisions`.
 */
import type { UiLanguage } from '@harbour/shared';
import { agentEvent, type ServerFeature } from '../../core/feature.js';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import type { DevicesFeature } from '../devices/index.js';
import type { RosterFeature } from '../roster/index.js';
import * as aup from './aup.js';
import { aupRoutes } from './aup.routes.js';

export { hashAupContent } from './aup.js';

/** The school's language (the AUP settings hold it): the sign-in page and pupil screens use it. */
export async function schoolLanguage(db: Db): Promise<UiLanguage> {
  return (await aup.getSettings(db)).language ?? 'en';
}

export function aupFeature(deps: {
  db: Db;
  push: Push;
  devices: DevicesFeature;
  roster: RosterFeature;
}): ServerFeature {
  const { db, push, devices, roster } = deps;
  // A new roster can move pupils between key stages: agents fetch the rules again.
  roster.onImported(() => push.toAgents(channel.everyAgent, 'aup:changed', { showNow: false }));
  devices.decorate((list) => aup.decorateDevices(db, list));
  devices.provide({ aupStates: (ids) => aup.deviceStates(db, ids) });
  return {
    name: 'aup',
    routes: (app) => aupRoutes(app, db, push, (logins) => roster.people(logins)),
    agentEvents: [
      agentEvent({
        type: 'aup.decision',
        store: (trx, deviceId, event) => aup.recordDecision(trx, deviceId, event),
        // The room view shows the user's standing: tell it once the decision is stored.
        afterCommit: (_result, deviceId) => devices.hub.refresh(deviceId),
      }),
    ],
    agentRequests: {
      'aup:bundle': async () => {
        const set = await aup.bundle(db);
        const audiences = new Set(set.documents.map((d) => d.audience));
        // The roster's pupils first: the audience follows their year group, then the school's rules.
        const fromRoster = await roster.audienceRules(audiences);
        return { ...set, settings: { ...set.settings, rules: [...fromRoster, ...set.settings.rules] } };
      },
      'aup:decisions': async ({ user }) => aup.userDecisions(db, user),
    },
  };
}
