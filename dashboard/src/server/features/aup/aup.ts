import { createHash, randomUUID } from 'node:crypto';
import {
  aupContentViewSchema,
  aupExpiryCutoff,
  aupSettingsViewSchema,
  canonicalAupText,
  formatOsUser,
  resolveAudience,
  type AgentEvent,
  type AupBundle,
  type AupContent,
  type AupDecisionEvent,
  type AupDocument,
  type AupRegisterEntry,
  type AupSettings,
  type AupStatus,
  type AupUserStatus,
  type Device,
  type OsUser,
} from '@harbour/shared';
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import { lockNumberedAppends } from '../../db/portable.js';
import type { AupDocumentsTable, Database } from '../../db/schema.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { devicePlace, roomExists, sessionPlaces, signedInUsers } from '../devices/index.js';

type DocRow = Selectable<AupDocumentsTable>;
type Executor = Db | Transaction<Database>;

export function hashAupContent(content: AupContent): string {
  return createHash('sha256').update(canonicalAupText(content)).digest('hex');
}

export function toAupDocument(row: DocRow): AupDocument {
  return {
    id: row.id,
    audience: row.audience_id,
    version: row.version,
    content: aupContentViewSchema.parse(JSON.parse(row.content)),
    textHash: row.text_hash,
    status: row.published_at === null ? 'draft' : row.superseded_at === null ? 'published' : 'superseded',
    createdAt: row.created_at,
    createdBy: row.created_by,
    publishedAt: row.published_at,
  };
}

export async function listAudiences(db: Executor) {
  return db.selectFrom('aup_audiences').selectAll().orderBy('position').orderBy('id').execute();
}

export async function audienceExists(db: Executor, id: string): Promise<boolean> {
  return Boolean(await db.selectFrom('aup_audiences').select('id').where('id', '=', id).executeTakeFirst());
}

export async function createAudience(
  db: Db,
  input: { id: string; name: string; description?: string | undefined },
): Promise<void> {
  if (await audienceExists(db, input.id)) {
    throw new HarbourError('conflict', `There is already an audience "${input.id}".`);
  }
  const last = await db
    .selectFrom('aup_audiences')
    .select((eb) => eb.fn.max('position').as('max'))
    .executeTakeFirst();
  await db
    .insertInto('aup_audiences')
    .values({
      id: input.id,
      name: input.name,
      description: input.description ?? '',
      position: Number(last?.max ?? -1) + 1,
      created_at: new Date().toISOString(),
    })
    .execute();
}

/** How many versions each audience's policy has. */
export async function versionCounts(db: Db): Promise<Map<string, number>> {
  const counts = await db
    .selectFrom('aup_documents')
    .select(['audience_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('audience_id')
    .execute();
  return new Map(counts.map((c) => [c.audience_id, Number(c.n)]));
}

/** Published documents, one per audience. */
export async function publishedDocuments(db: Executor): Promise<DocRow[]> {
  return db
    .selectFrom('aup_documents')
    .selectAll()
    .where('published_at', 'is not', null)
    .where('superseded_at', 'is', null)
    .execute();
}

export async function listDocuments(db: Db, audience?: string): Promise<AupDocument[]> {
  let q = db.selectFrom('aup_documents').selectAll().orderBy('audience_id').orderBy('version', 'desc');
  if (audience) q = q.where('audience_id', '=', audience);
  return (await q.execute()).map(toAupDocument);
}

export async function getDocument(db: Db, id: string): Promise<AupDocument> {
  const row = await db.selectFrom('aup_documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Policy version');
  return toAupDocument(row);
}

/** Saves `content` as the audience's next version (a draft unless `publish`). */
export async function createVersion(
  db: Db,
  input: { audience: string; content: AupContent; publish: boolean },
  actor: string,
): Promise<AupDocument> {
  return db.transaction().execute(async (trx) => {
    // Versions are numbered: two saves at once on PostgreSQL must not both take the same one.
    await lockNumberedAppends(trx);
    if (!(await audienceExists(trx, input.audience))) throw notFound(`Audience "${input.audience}"`);
    const last = await trx
      .selectFrom('aup_documents')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('audience_id', '=', input.audience)
      .executeTakeFirst();
    const row: DocRow = {
      id: randomUUID(),
      audience_id: input.audience,
      version: Number(last?.max ?? 0) + 1,
      content: JSON.stringify(input.content),
      text_hash: hashAupContent(input.content),
      created_at: new Date().toISOString(),
      created_by: actor,
      published_at: null,
      superseded_at: null,
    };
    await trx.insertInto('aup_documents').values(row).execute();
    if (input.publish) await publishIn(trx, row.id);
    const saved = await trx
      .selectFrom('aup_documents')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    return toAupDocument(saved);
  });
}

export async function publish(db: Db, id: string): Promise<AupDocument> {
  return db.transaction().execute(async (trx) => {
    await publishIn(trx, id);
    const row = await trx
      .selectFrom('aup_documents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toAupDocument(row);
  });
}

/** Makes `id` its audience's one published version; the previous one stays readable as superseded. */
async function publishIn(trx: Transaction<Database>, id: string): Promise<void> {
  const row = await trx.selectFrom('aup_documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Policy version');
  if (row.published_at !== null && row.superseded_at === null) return;
  const now = new Date().toISOString();
  await trx
    .updateTable('aup_documents')
    .set({ superseded_at: now })
    .where('audience_id', '=', row.audience_id)
    .where('published_at', 'is not', null)
    .where('superseded_at', 'is', null)
    .execute();
  // A superseded version published again becomes current again; its first publication date stays.
  await trx
    .updateTable('aup_documents')
    .set({ published_at: row.published_at ?? now, superseded_at: null })
    .where('id', '=', id)
    .execute();
}

export async function getSettings(db: Executor): Promise<AupSettings> {
  const row = await db.selectFrom('aup_settings').select('settings').where('id', '=', 1).executeTakeFirst();
  return aupSettingsViewSchema.parse(JSON.parse(row?.settings ?? 'null'));
}

export async function putSettings(db: Db, settings: AupSettings): Promise<AupSettings> {
  const known = new Set((await listAudiences(db)).map((a) => a.id));
  const unknown = [settings.defaultAudience, ...settings.rules.map((r) => r.audience)].filter(
    (a) => !known.has(a),
  );
  if (unknown.length > 0) {
    throw new HarbourError('validation_failed', `Unknown audience: ${[...new Set(unknown)].join(', ')}.`);
  }
  const rooms = settings.rules.filter((r) => r.kind === 'room').map((r) => r.pattern);
  for (const room of rooms) {
    if (!(await roomExists(db, room)))
      throw new HarbourError('validation_failed', `A room rule names a room that does not exist.`);
  }
  await db
    .updateTable('aup_settings')
    .set({ settings: JSON.stringify(settings), updated_at: new Date().toISOString() })
    .where('id', '=', 1)
    .execute();
  return settings;
}

/** What an agent needs to decide, offline too, what to show whom. */
export async function bundle(db: Db): Promise<AupBundle> {
  const audiences = new Map((await listAudiences(db)).map((a) => [a.id, a.name]));
  const docs = await publishedDocuments(db);
  return {
    settings: await getSettings(db),
    documents: docs.map((row) => {
      const doc = toAupDocument(row);
      return {
        id: doc.id,
        audience: doc.audience,
        audienceName: audiences.get(doc.audience) ?? doc.audience,
        version: doc.version,
        content: doc.content,
        textHash: doc.textHash,
      };
    }),
  };
}

/** A user's latest decision per audience (made in one of `roomIds`, one school's; null: anywhere). */
export async function userDecisions(db: Db, user: OsUser, roomIds: string[] | null = null) {
  if (roomIds && roomIds.length === 0) return { decisions: [] };
  const rows = await db
    .selectFrom('aup_decisions')
    .select(['audience', 'text_hash', 'decision', 'decided_at'])
    .where('username', '=', formatOsUser(user))
    .$if(roomIds !== null, (q) => q.where('room_id', 'in', roomIds!))
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!latest.has(row.audience)) latest.set(row.audience, row);
  return {
    decisions: [...latest.values()].map((r) => ({
      audience: r.audience,
      textHash: r.text_hash,
      decision: r.decision,
      decidedAt: r.decided_at,
    })),
  };
}

/**
 * Records a decision from an agent's outbox, inside storeEvent's transaction. The text the
 * user saw must be a version that was published (now or before): by its id, or for the
 * agent's built-in sample by the hash of its text. Anything else is refused and nothing is
 * stored, so the agent sets the event aside rather than retrying it for ever.
 */
export async function recordDecision(
  trx: Db,
  deviceId: string,
  event: AgentEvent & { body: AupDecisionEvent },
): Promise<void> {
  const body = event.body;
  let q = trx
    .selectFrom('aup_documents')
    .selectAll()
    .where('audience_id', '=', body.audience)
    .where('text_hash', '=', body.textHash)
    .where('published_at', 'is not', null);
  if (body.documentId) q = q.where('id', '=', body.documentId).where('version', '=', body.version);
  const doc = await q.orderBy('version', 'desc').executeTakeFirst();
  if (!doc) {
    throw new HarbourError(
      'validation_failed',
      'This policy version was never published (or its text does not match); the decision is not recorded.',
    );
  }
  const device = await devicePlace(trx, deviceId);
  await trx
    .insertInto('aup_decisions')
    .values({
      device_id: deviceId,
      event_id: event.id,
      room_id: device?.roomId ?? null,
      username: formatOsUser(body.user),
      display_name: body.user.displayName ?? null,
      audience: body.audience,
      document_id: doc.id,
      version: doc.version,
      text_hash: doc.text_hash,
      decision: body.decision,
      source: body.source,
      decided_at: event.occurredAt,
      received_at: new Date().toISOString(),
    })
    .execute();
}

export interface RegisterFilter {
  roomId?: string | undefined;
  username?: string | undefined;
  audience?: string | undefined;
  decision?: 'accepted' | 'declined' | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The register, newest first: one entry per decision; `roomIds` (one school's rooms) keeps
 * the decisions made in those rooms, or on a computer in them when the room was not known.
 */
export async function register(
  db: Db,
  filter: RegisterFilter,
  limit = 5000,
  roomIds: string[] | null = null,
): Promise<AupRegisterEntry[]> {
  if (roomIds && roomIds.length === 0) return [];
  let q = db
    .selectFrom('aup_decisions as d')
    .innerJoin('devices as dev', 'dev.id', 'd.device_id')
    .leftJoin('rooms as r', 'r.id', 'd.room_id')
    .leftJoin('rooms as dr', 'dr.id', 'dev.room_id')
    // The decision's school: its room's, or its computer's room's when the room was not known.
    .leftJoin('schools as s', (join) =>
      join.on((eb) => eb('s.id', '=', eb.fn.coalesce('r.school_id', 'dr.school_id'))),
    )
    .select([
      'd.id',
      'd.username',
      'd.display_name',
      'd.audience',
      'd.version',
      'd.text_hash',
      'd.decision',
      'd.decided_at',
      'd.received_at',
      'd.device_id',
      'dev.hostname',
      'd.room_id',
      'r.name as room_name',
      'd.source',
      's.id as school_id',
      's.name as school_name',
    ])
    .orderBy('d.decided_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit);
  if (roomIds)
    q = q.where((eb) =>
      eb.or([
        eb('d.room_id', 'in', roomIds),
        eb.and([eb('d.room_id', 'is', null), eb('dev.room_id', 'in', roomIds)]),
      ]),
    );
  if (filter.roomId) q = q.where('d.room_id', '=', filter.roomId);
  if (filter.username) q = q.where('d.username', '=', filter.username);
  if (filter.audience) q = q.where('d.audience', '=', filter.audience);
  if (filter.decision) q = q.where('d.decision', '=', filter.decision);
  if (filter.from) q = q.where('d.decided_at', '>=', new Date(filter.from).toISOString());
  if (filter.to) q = q.where('d.decided_at', '<=', new Date(filter.to).toISOString());
  return (await q.execute()).map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    audience: r.audience,
    version: r.version,
    textHash: r.text_hash,
    decision: r.decision,
    decidedAt: r.decided_at,
    receivedAt: r.received_at,
    deviceId: r.device_id,
    deviceName: r.hostname,
    roomId: r.room_id,
    roomName: r.room_name,
    source: r.source,
    schoolId: r.school_id,
    schoolName: r.school_name,
  }));
}

interface Latest {
  audience: string;
  text_hash: string;
  decision: 'accepted' | 'declined';
  decided_at: string;
  version: number;
  display_name: string | null;
}

/** What each user's latest decision means now. */
export function statusOf(
  latest: Latest | undefined,
  published: Map<string, string>,
  cutoff: Date,
): AupStatus {
  if (!latest) return 'never';
  if (latest.decision === 'declined') return 'declined';
  const current = published.get(latest.audience);
  return current === latest.text_hash && new Date(latest.decided_at) >= cutoff ? 'current' : 'outdated';
}

/** What a decision is measured against now: each audience's published text, and the expiry cutoff. */
async function standing(db: Db, now = new Date()) {
  const settings = await getSettings(db);
  const cutoff = aupExpiryCutoff(now, settings.expiryMonth, settings.expiryDay);
  const published = new Map((await publishedDocuments(db)).map((d) => [d.audience_id, d.text_hash]));
  return { published, cutoff };
}

/** Each decision by `usernames` (all when null), oldest first, with its school: its room's, else its computer's room's. */
function decisionsWithSchool(db: Db, usernames: string[] | null) {
  return db
    .selectFrom('aup_decisions as a')
    .leftJoin('rooms as r', 'r.id', 'a.room_id')
    .leftJoin('devices as dev', 'dev.id', 'a.device_id')
    .leftJoin('rooms as dr', 'dr.id', 'dev.room_id')
    .select((eb) => [
      'a.username',
      'a.audience',
      'a.text_hash',
      'a.decision',
      'a.decided_at',
      'a.version',
      'a.display_name',
      'a.room_id',
      'r.name as room_name',
      eb.fn.coalesce('r.school_id', 'dr.school_id').as('school_id'),
    ])
    .$if(usernames !== null, (q) => q.where('a.username', 'in', usernames!))
    .orderBy('a.decided_at', 'asc')
    .orderBy('a.id', 'asc')
    .execute();
}

/**
 * Per user: current / outdated / never / declined, for everyone who has signed in or decided.
 * A user is a login in a school (migration 0019; docs/trust.md): `jsmith` signed in or deciding
 * on school A's computers and `jsmith` on school B's are two children, so each is its own entry
 * with its own latest decision, never one entry with whichever decided last. The school of a
 * sign-in is its computer's room's; of a decision its room's, or its computer's room's when the
 * room was not known (as the register scopes them). Sign-ins and decisions in no school's room
 * make an entry of no school, read by trust-level staff only.
 */
export async function userStatuses(
  db: Db,
  filter: { roomId?: string | undefined; username?: string | undefined; status?: AupStatus | undefined },
  now = new Date(),
  /** One school's staff: only that school's users; null: every school's (trust-level). */
  schoolId: number | null = null,
): Promise<AupUserStatus[]> {
  const { published, cutoff } = await standing(db, now);
  const sessions = await sessionPlaces(db);
  const decisions = await decisionsWithSchool(db, null);
  const schools = new Map(
    (await db.selectFrom('schools').select(['id', 'name']).execute()).map((s) => [s.id, s.name]),
  );
  interface Entry {
    username: string;
    school: number | null;
    place: { at: string; roomId: string | null; roomName: string | null };
    rooms: Set<string>;
    latest?: Latest;
  }
  const entries = new Map<string, Entry>();
  const entryOf = (username: string, school: number | null) => {
    const key = `${school ?? ''}\0${username}`;
    let entry = entries.get(key);
    if (!entry) {
      entry = { username, school, place: { at: '', roomId: null, roomName: null }, rooms: new Set() };
      entries.set(key, entry);
    }
    return entry;
  };
  // Where each user was last seen (in that school): their latest session, or their latest decision.
  const seen = (entry: Entry, at: string, roomId: string | null, roomName: string | null) => {
    if (entry.place.at < at) entry.place = { at, roomId, roomName };
    if (roomId) entry.rooms.add(roomId);
  };
  for (const s of sessions) seen(entryOf(s.username, s.school_id), s.at, s.room_id, s.room_name);
  for (const d of decisions) {
    const entry = entryOf(d.username, d.school_id);
    seen(entry, d.decided_at, d.room_id, d.room_name);
    entry.latest = d; // in decision order: the last one kept is the latest
  }
  const users: AupUserStatus[] = [];
  for (const { username, school, place, rooms, latest: l } of entries.values()) {
    if (schoolId !== null && school !== schoolId) continue;
    if (filter.username && filter.username !== username) continue;
    if (filter.roomId && !rooms.has(filter.roomId)) continue;
    const status = statusOf(l, published, cutoff);
    if (filter.status && filter.status !== status) continue;
    users.push({
      username,
      displayName: l?.display_name ?? null,
      audience: l?.audience ?? null,
      status,
      version: l?.version ?? null,
      decidedAt: l?.decided_at ?? null,
      lastRoomId: place.roomId,
      lastRoomName: place.roomName,
      schoolId: school,
      schoolName: school === null ? null : (schools.get(school) ?? null),
    });
  }
  return users.sort(
    (a, b) =>
      a.username.localeCompare(b.username, 'en-GB', { numeric: true }) ||
      (a.schoolName ?? '').localeCompare(b.schoolName ?? '', 'en-GB') ||
      (a.schoolId ?? 0) - (b.schoolId ?? 0),
  );
}

/**
 * Each signed-in user's standing on each computer, for the policy that applies there (issue
 * 15 item 4): the audience the school's rules give that user in that computer's room, and the
 * user's latest decision on that audience's policy (a decision made on another computer
 * counts: the agent there let them through for the same policy). Group rules need the
 * account's OS groups, which only the agent knows: where the school has any, the audience of
 * the user's latest decision stands in for it.
 */
async function standingHere(
  db: Db,
  subjects: readonly { key: string; username: string; roomId: string }[],
  now = new Date(),
): Promise<Map<string, { status: AupStatus; audience: string | null }>> {
  const out = new Map<string, { status: AupStatus; audience: string | null }>();
  if (subjects.length === 0) return out;
  const settings = await getSettings(db);
  const { published, cutoff } = await standing(db, now);
  // A decision counts for the same login in its own school only: two schools' jsmith are two
  // children (migration 0019), so B's jsmith is not "agreed" because A's jsmith agreed.
  const roomIds = [...new Set(subjects.map((s) => s.roomId))];
  const schoolOfRoom = new Map(
    (await db.selectFrom('rooms').select(['id', 'school_id']).where('id', 'in', roomIds).execute()).map(
      (r) => [r.id, r.school_id],
    ),
  );
  const latest = new Map<string, Latest>();
  const byAudience = new Map<string, Latest>();
  for (const row of await decisionsWithSchool(db, [...new Set(subjects.map((s) => s.username))])) {
    latest.set(`${row.school_id ?? ''}\0${row.username}`, row);
    byAudience.set(`${row.school_id ?? ''}\0${row.username}\0${row.audience}`, row);
  }
  const groupRules = settings.rules.some((r) => r.kind === 'group');
  for (const subject of subjects) {
    const user = `${schoolOfRoom.get(subject.roomId) ?? ''}\0${subject.username}`;
    const audience = groupRules
      ? (latest.get(user)?.audience ?? settings.defaultAudience)
      : resolveAudience(settings, { username: subject.username, groups: [], roomId: subject.roomId });
    const decision = byAudience.get(`${user}\0${audience}`);
    out.set(subject.key, { status: statusOf(decision, published, cutoff), audience });
  }
  return out;
}

/** Adds each signed-in user's AUP standing to devices for the live room view. */
export async function decorateDevices(db: Db, devices: Device[]): Promise<void> {
  // A computer that does not show the policy has no standing to show: the tile says so.
  const shown = devices.filter((d) => d.user !== null && d.aupGate !== false);
  for (const d of devices) if (d.user === null || d.aupGate === false) d.aup = null;
  const here = await standingHere(
    db,
    shown.map((d) => ({ key: d.id, username: d.user ?? '', roomId: d.roomId })),
  );
  for (const device of shown) device.aup = here.get(device.id) ?? null;
}

const statusLabels: Record<AupStatus, string> = {
  current: 'Agreed',
  outdated: 'Must agree again',
  never: 'Not agreed yet',
  declined: 'Did not agree',
};

/** For the device inventory: the AUP standing of each device's signed-in user, where the device shows the policy. */
export async function deviceStates(
  db: Db,
  deviceIds: readonly string[],
): Promise<Map<string, { state: AupStatus | 'not_shown'; label: string }>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await signedInUsers(db, deviceIds);
  const shown = rows.filter((r) => r.aup_gate !== 0);
  const here = await standingHere(
    db,
    shown.map((r) => ({ key: r.id, username: r.current_user ?? '', roomId: r.room_id })),
  );
  const out = new Map<string, { state: AupStatus | 'not_shown'; label: string }>();
  for (const r of rows) {
    if (r.aup_gate === 0) {
      out.set(r.id, { state: 'not_shown', label: 'Not shown on this computer' });
      continue;
    }
    const state = here.get(r.id)?.status ?? 'never';
    out.set(r.id, { state, label: statusLabels[state] });
  }
  return out;
}

/** A version that has been published (now or before): agents may show it, so they may hear it. */
export async function publishedOnce(db: Db, id: string): Promise<AupDocument | null> {
  const row = await db
    .selectFrom('aup_documents')
    .selectAll()
    .where('id', '=', id)
    .where('published_at', 'is not', null)
    .executeTakeFirst();
  return row ? toAupDocument(row) : null;
}
