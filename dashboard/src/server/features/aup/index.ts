/**
 * Acceptable use policies: documents and versions, audience rules and yearly expiry, the
 * acceptance register, pushes to agents, and each signed-in user's standing in live room
 * views and the inventory. Tables `aup_audiences`, `aup_documents`, `aup_settings`, `aup_decisions`.
 */
import type { AupAudio, UiLanguage } from '@harbour/shared';
import { agentEvent, type ServerFeature } from '../../core/feature.js';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { deviceWithRoom, roomIdsOfSchool, type DevicesFeature } from '../devices/index.js';
import type { RosterFeature } from '../roster/index.js';
import { notFound } from '../../core/errors.js';
import * as aup from './aup.js';
import { aupRoutes } from './aup.routes.js';
import { speechAnswer, type SpeechStore } from '../../core/speech.js';
import { aupSpokenText } from './speech.js';

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
  /** Read-aloud audio, shared with the other pupil screens. */
  speech: SpeechStore;
}): ServerFeature {
  const { db, push, devices, roster, speech } = deps;
  const spoken = async (doc: { content: Parameters<typeof aupSpokenText>[0] }) =>
    aupSpokenText(doc.content, await schoolLanguage(db));
  /** The policy's audio, or why there is none; null for a version never published. */
  const audio = async (documentId: string): Promise<AupAudio | null> => {
    const doc = await aup.publishedOnce(db, documentId);
    if (!doc) return null;
    const { text, language } = await spoken(doc);
    return speechAnswer(speech.get(text, language));
  };
  // Audio is made when a policy is published, so it is ready before the first pupil asks.
  const published = (doc: { content: Parameters<typeof aupSpokenText>[0] }) =>
    void spoken(doc).then(({ text, language }) => speech.prepare(text, language));
  // A new roster can move pupils between key stages: agents fetch the rules again.
  roster.onImported(() => push.toAgents(channel.everyAgent, 'aup:changed', { showNow: false }));
  devices.decorate((list) => aup.decorateDevices(db, list));
  devices.provide({ aupStates: (ids) => aup.deviceStates(db, ids) });
  return {
    name: 'aup',
    routes: (app) =>
      aupRoutes(app, db, push, {
        people: (seen) => roster.people(seen),
        audio,
        published,
      }),
    agentEvents: [
      agentEvent({
        type: 'aup.decision',
        store: (trx, deviceId, event) => aup.recordDecision(trx, deviceId, event),
        // The room view shows the user's standing: tell it once the decision is stored.
        afterCommit: (_result, deviceId) => devices.hub.refresh(deviceId),
      }),
    ],
    agentRequests: {
      'aup:bundle': async (_payload, caller) => {
        const set = await aup.bundle(db);
        const audiences = new Set(set.documents.map((d) => d.audience));
        // The roster's pupils first: the audience follows their year group, then the school's
        // rules. The computer's school's pupils only: another school's jsmith is another child.
        const place = await deviceWithRoom(db, caller.deviceId);
        const fromRoster = place ? await roster.audienceRules(audiences, place.schoolId) : [];
        return { ...set, settings: { ...set.settings, rules: [...fromRoster, ...set.settings.rules] } };
      },
      // The user's decisions on their school's computers: the same login at another school is
      // another child, whose acceptance is not theirs.
      'aup:decisions': async ({ user }, caller) => {
        const place = await deviceWithRoom(db, caller.deviceId);
        return aup.userDecisions(db, user, place ? await roomIdsOfSchool(db, place.schoolId) : []);
      },
      'aup:audio': async ({ documentId }) => {
        const found = await audio(documentId);
        if (!found) throw notFound('Policy version');
        return found;
      },
    },
  };
}
