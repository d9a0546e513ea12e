/**
 * A pupil's "turn the screen off and tell" report on the server: it becomes an incident
 * (source "report") in the same transaction as the agent event that carried it, alerts
 * the DSL and the teachers supervising the room, and follows the teacher's acknowledgement
 * and release back to the pupil's computer.
 */
import {
  formatOsUser,
  tellChoiceLabels,
  type AgentEvent,
  type TellAlert,
  type TellDetails,
  type TellReported,
} from '@harbour/shared';
import type { SessionUser } from '../../core/identity.js';
import { verifyPassword } from '../../core/passwords.js';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { CounterStore } from '../../core/rate-limit.js';
import type { Db } from '../../db/database.js';
import { devicePlace, deviceWithRoom } from '../devices/index.js';
import { deviceHolds, holdsEvidence } from '../evidence/index.js';
import {
  createIncident,
  deviceTellId,
  effectiveSetting,
  incidentById,
  incidentByTell,
  incidentRef,
  openTellIncidents,
  scopedTellId,
  setPupilSaid,
  tellIdTaken,
  setTellStatus,
  visibleIncidentRow,
  type IncidentRow,
} from '../incidents/index.js';

/**
 * Stores a report once (by its tellId) as a new incident. Runs inside the agent event's
 * transaction. Returns the incident it made, or null for a report already recorded.
 */
export async function storeTellReported(
  db: Db,
  deviceId: string,
  event: AgentEvent,
  body: TellReported,
): Promise<IncidentRow | null> {
  const existing = await incidentByTell(db, body.tellId, deviceId);
  if (existing) {
    // The same report replayed under a new event id: already recorded once; keep a note of the replay.
    await audit(db, {
      actor: `device:${deviceId}`,
      action: 'tell.replayed',
      subject: existing.id,
      detail: { eventId: event.id },
    });
    return null;
  }
  const device = await devicePlace(db, deviceId);
  // A report may cite only screenshots its own computer uploaded (one not here yet may still
  // come). Another computer's are left out, and the record says so: the report itself is kept.
  const evidence = [];
  const foreign = [];
  for (const ref of body.evidence) {
    if ((await deviceHolds(db, ref.sha256, deviceId)) || !(await holdsEvidence(db, ref.sha256)))
      evidence.push(ref);
    else foreign.push(ref.sha256);
  }
  const observed = [
    body.captureError && `The screen could not be captured: ${body.captureError}`,
    foreign.length > 0 &&
      `${foreign.length} screenshot(s) cited by the report were not sent by this computer and were left out.`,
  ]
    .filter(Boolean)
    .join(' ');
  if (foreign.length > 0) {
    await audit(db, {
      actor: `device:${deviceId}`,
      action: 'tell.evidence_refused',
      detail: { tellId: body.tellId, sha256: foreign, reason: 'not uploaded by this device' },
    });
  }
  // Another computer already used this report id: this one is kept too, under its own key.
  const storedTellId = (await tellIdTaken(db, body.tellId))
    ? scopedTellId(body.tellId, deviceId)
    : body.tellId;
  if (storedTellId !== body.tellId) {
    await audit(db, {
      actor: `device:${deviceId}`,
      action: 'tell.id_reused',
      detail: {
        tellId: body.tellId,
        reason: 'another computer sent a report with the same id; both are kept',
      },
    });
  }
  const row = await createIncident(db, {
    source: 'report',
    category: 'unsorted',
    summary: `A pupil asked for help at ${device?.hostname ?? 'a computer'}`,
    occurredAt: event.occurredAt,
    createdBy: null,
    actor: `device:${deviceId}`,
    deviceId,
    subject: { username: body.user ? formatOsUser(body.user) : null, name: body.user?.displayName ?? null },
    window: body.window,
    tellId: storedTellId,
    sourceRef: event.id,
    evidence: evidence.map((e) => ({ ...e, kind: 'screenshot' as const, label: null })),
    details: observed ? { observed } : {},
  });
  return applyPendingDetails(db, deviceId, body.tellId, row);
}

/** What the pupil added before their report arrived (tell.details came first): applied now, in order. */
async function applyPendingDetails(
  db: Db,
  deviceId: string,
  tellId: string,
  row: IncidentRow,
): Promise<IncidentRow> {
  const pending = await db
    .selectFrom('tell_pending_details')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('tell_id', '=', tellId)
    .orderBy('received_at')
    .execute();
  if (pending.length === 0) return row;
  for (const p of pending) await applyDetails(db, deviceId, row, JSON.parse(p.body) as TellDetails);
  await db
    .deleteFrom('tell_pending_details')
    .where('device_id', '=', deviceId)
    .where('tell_id', '=', tellId)
    .execute();
  return (await incidentById(db, row.id)) ?? row;
}

/**
 * What the pupil added on the cover page: a picture choice and maybe a few words. If the
 * report itself has not arrived yet, they are kept until it does (never dropped).
 */
export async function storeTellDetails(
  db: Db,
  deviceId: string,
  event: { id: string },
  body: TellDetails,
): Promise<void> {
  const row = await incidentByTell(db, body.tellId, deviceId);
  if (!row) {
    await db
      .insertInto('tell_pending_details')
      .values({
        device_id: deviceId,
        tell_id: body.tellId,
        event_id: event.id,
        body: JSON.stringify(body),
        received_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await audit(db, {
      actor: `device:${deviceId}`,
      action: 'tell.details_pending',
      detail: { tellId: body.tellId, note: 'kept until the report arrives' },
    });
    return;
  }
  await applyDetails(db, deviceId, row, body);
}

async function applyDetails(db: Db, deviceId: string, row: IncidentRow, body: TellDetails): Promise<void> {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  const words = body.words && body.words !== '' ? body.words : null;
  const pupilWords = words ?? (details.pupilWords as string | null | undefined) ?? null;
  await setPupilSaid(db, row.id, {
    pupil_choice: body.choice ?? row.pupil_choice,
    details: JSON.stringify({ ...details, pupilWords }),
  });
  await audit(db, {
    actor: `device:${deviceId}`,
    action: 'tell.pupil_said',
    subject: row.id,
    detail: { choice: body.choice, choiceLabel: body.choice ? tellChoiceLabels[body.choice] : null, words },
  });
}

export function toTellAlert(row: IncidentRow): TellAlert | null {
  if (!row.tell_id || !row.tell_status || !row.device_id || !row.room_id) return null;
  return {
    incidentId: row.id,
    ref: incidentRef(row.seq),
    tellId: deviceTellId(row.tell_id),
    pupil: row.subject_name ?? row.subject_username,
    deviceId: row.device_id,
    deviceName: row.device_name ?? 'Unknown computer',
    roomId: row.room_id,
    roomName: row.room_name ?? 'Unknown room',
    at: row.occurred_at,
    status: row.tell_status,
    acknowledgedBy: row.tell_acknowledged_by,
  };
}

/** Covered screens this user should still see alerts for (after a page reload, for example). */
export async function openTellAlerts(db: Db, viewer: SessionUser): Promise<TellAlert[]> {
  return (await openTellIncidents(db, viewer)).map(toTellAlert).filter((a): a is TellAlert => a !== null);
}

/** A teacher (or the DSL) acknowledges: the pupil's cover then says the teacher is on the way. */
export async function acknowledgeTell(db: Db, incidentId: string, user: SessionUser): Promise<IncidentRow> {
  const row = await visibleIncidentRow(db, incidentId, user);
  if (!row.tell_id) throw new HarbourError('conflict', 'This incident is not a pupil’s report.');
  if (row.tell_status !== 'covered') return row;
  await db.transaction().execute(async (trx) => {
    await setTellStatus(
      trx,
      incidentId,
      { tell_status: 'acknowledged', tell_acknowledged_by: user.displayName },
      'covered',
    );
    await audit(trx, { actor: user.id, action: 'tell.acknowledge', subject: incidentId });
  });
  return visibleIncidentRow(db, incidentId, user);
}

/** A teacher releases the covered screen from the dashboard. */
export async function releaseTell(db: Db, incidentId: string, user: SessionUser): Promise<IncidentRow> {
  const row = await visibleIncidentRow(db, incidentId, user);
  if (!row.tell_id) throw new HarbourError('conflict', 'This incident is not a pupil’s report.');
  if (row.tell_status === 'released') return row;
  await db.transaction().execute(async (trx) => {
    await setTellStatus(trx, incidentId, {
      tell_status: 'released',
      tell_acknowledged_by: row.tell_acknowledged_by ?? user.displayName,
    });
    await audit(trx, {
      actor: user.id,
      action: 'tell.release',
      subject: incidentId,
      detail: { where: 'dashboard' },
    });
  });
  return visibleIncidentRow(db, incidentId, user);
}

// Wrong PINs typed at one computer: after 5 in a 5-minute window, that computer must wait.
// Counted in the server's counter store, which several nodes share.
const pinWindowMs = 5 * 60_000;
const maxPinFailures = 5;

/**
 * Releases a covered screen at the computer: with a staff PIN (checked against its argon2
 * hash), or without one when the school lets pupils release their own screen.
 */
export async function releaseAtComputer(
  db: Db,
  deviceId: string,
  tellId: string,
  pin: string | undefined,
  pinFailures: CounterStore,
): Promise<{ released: boolean; message: string; row?: IncidentRow }> {
  const row = await incidentByTell(db, tellId, deviceId);
  if (!row) throw notFound('This report');
  if (row.tell_status === 'released') return { released: true, message: 'Already released.', row };
  // The school whose room the computer is in now: its PIN (else the trust's) releases the
  // cover, so another school's PIN never does (docs/trust.md). The same school the agent's
  // tell settings were read for (tell.agent.ts).
  const school = (await deviceWithRoom(db, deviceId))?.schoolId ?? null;
  let how: string;
  if (pin === undefined || pin === '') {
    if (!(await effectiveSetting(db, school, 'pupilsMayRelease'))) {
      return { released: false, message: 'A grown-up needs to type their PIN.' };
    }
    how = 'pupil';
  } else {
    const now = Date.now();
    const key = `pin:${deviceId}`;
    // A count that cannot be read (the shared store is away) refuses: PINs are not guessable then either.
    const failures = await pinFailures.peek(key, pinWindowMs, now).catch(() => maxPinFailures);
    if (failures >= maxPinFailures) {
      return {
        released: false,
        message: 'Too many wrong PINs. Wait a few minutes, or release the screen from the dashboard.',
      };
    }
    const hash = await effectiveSetting(db, school, 'staffPinHash');
    if (!hash || !(await verifyPassword(hash, pin))) {
      await pinFailures.hit(key, pinWindowMs, now);
      await audit(db, { actor: `device:${deviceId}`, action: 'tell.pin_refused', subject: row.id });
      return {
        released: false,
        message: hash ? 'That PIN is not right.' : 'No staff PIN has been set up yet.',
      };
    }
    await pinFailures.clear(key, pinWindowMs, now);
    how = 'staff PIN';
  }
  await db.transaction().execute(async (trx) => {
    await setTellStatus(trx, row.id, { tell_status: 'released' });
    await audit(trx, {
      actor: `device:${deviceId}`,
      action: 'tell.release',
      subject: row.id,
      detail: { where: 'computer', how },
    });
  });
  const updated = await incidentById(db, row.id);
  if (!updated) throw new Error(`incident ${row.id} vanished while being released`);
  return { released: true, message: 'Released.', row: updated };
}
