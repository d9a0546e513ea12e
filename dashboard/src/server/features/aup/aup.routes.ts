import { stringify } from 'csv-stringify/sync';
import {
  aupDocumentListQuerySchema,
  aupDocumentListSchema,
  aupDocumentSchema,
  aupOverviewSchema,
  aupRegisterQuerySchema,
  aupRegisterSchema,
  aupSettingsSchema,
  aupSettingsViewSchema,
  aupStatusListSchema,
  aupStatusQuerySchema,
  createAupAudienceRequestSchema,
  createAupVersionRequestSchema,
  idParamsSchema,
  okSchema,
  publishAupRequestSchema,
  type AupAudio,
  type AupDocument,
  type AupRegisterEntry,
  type Person,
} from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { notFound } from '../../core/errors.js';
import type { App } from '../../core/feature.js';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { roomIdsOfSchool } from '../devices/index.js';
import * as aup from './aup.js';

const tags = ['acceptable use'];

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with '. */
function csvSafe(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function registerCsv(entries: AupRegisterEntry[]): string {
  const columns = [
    'user',
    'display_name',
    'audience',
    'version',
    'text_hash',
    'decision',
    'time',
    'device',
    'room',
    'source',
    // Last, so the columns before it keep their places: which school's child the user is.
    'school',
  ];
  const rows = entries.map((e) =>
    [
      e.username,
      e.displayName,
      e.audience,
      e.version,
      e.textHash,
      e.decision,
      e.decidedAt,
      e.deviceName,
      e.roomName,
      e.source,
      e.schoolName,
    ].map(csvSafe),
  );
  return stringify(rows, { header: true, columns, bom: false, record_delimiter: 'windows' });
}

/**
 * Acceptable use policies: documents and versions, audience rules and expiry, the
 * acceptance register (with its CSV export, a stable interface) and pushes to agents.
 * Also adds each signed-in user's AUP standing to devices in live room views.
 */
export function aupRoutes(
  app: App,
  db: Db,
  push: Push,
  deps: {
    /**
     * The roster's person behind each login where it was used (the register shows pupils by
     * name): the pupil of the school of the decision's room, never another school's.
     */
    people: (
      seen: readonly { login: string; roomId: string | null }[],
    ) => Promise<{ of(seen: { login: string; roomId: string | null }): Person }>;
    /** A published version's read-aloud audio; null if it was never published. */
    audio: (documentId: string) => Promise<AupAudio | null>;
    /** Called with each newly published version (its audio is made in the background). */
    published: (doc: AupDocument) => void;
  },
): void {
  const { people } = deps;
  const notifyAgents = (showNow: boolean) => push.toAgents(channel.everyAgent, 'aup:changed', { showNow });

  app.get(
    '/api/aup/overview',
    {
      config: { access: 'manageAup' },
      schema: {
        summary: 'Audiences, each with its published policy version',
        tags,
        response: { 200: aupOverviewSchema },
      },
    },
    async () => {
      const audiences = await aup.listAudiences(db);
      const published = new Map((await aup.publishedDocuments(db)).map((d) => [d.audience_id, d]));
      const count = await aup.versionCounts(db);
      return {
        audiences: audiences.map((a) => {
          const row = published.get(a.id);
          return {
            id: a.id,
            name: a.name,
            description: a.description,
            published: row ? aup.toAupDocument(row) : null,
            versions: count.get(a.id) ?? 0,
          };
        }),
      };
    },
  );

  app.post(
    '/api/aup/audiences',
    {
      config: { access: 'manageAup', trustWide: true },
      schema: {
        summary: 'Add an audience (e.g. "wraparound care")',
        tags,
        body: createAupAudienceRequestSchema,
        response: { 201: okSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      await aup.createAudience(db, request.body);
      await audit(db, { actor: actor.id, action: 'aup.audience.create', subject: request.body.id });
      return reply.status(201).send({ ok: true });
    },
  );

  app.get(
    '/api/aup/documents',
    {
      config: { access: 'manageAup' },
      schema: {
        summary: 'Every policy version, newest first, optionally for one audience',
        tags,
        querystring: aupDocumentListQuerySchema,
        response: { 200: aupDocumentListSchema },
      },
    },
    async (request) => ({ documents: await aup.listDocuments(db, request.query.audience) }),
  );

  app.get(
    '/api/aup/documents/:id',
    {
      config: { access: 'manageAup' },
      schema: {
        summary: 'One policy version',
        tags,
        params: idParamsSchema,
        response: { 200: aupDocumentSchema },
      },
    },
    async (request) => aup.getDocument(db, request.params.id),
  );

  app.post(
    '/api/aup/documents',
    {
      config: { access: 'manageAup', trustWide: true },
      schema: {
        summary: 'Save a new version of an audience’s policy, as a draft or published',
        tags,
        body: createAupVersionRequestSchema,
        response: { 201: aupDocumentSchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const { audience, content, publish, showNow } = request.body;
      const doc = await aup.createVersion(db, { audience, content, publish }, actor.displayName);
      await audit(db, {
        actor: actor.id,
        action: publish ? 'aup.version.publish' : 'aup.version.create',
        subject: doc.id,
        detail: { audience, version: doc.version, textHash: doc.textHash, showNow: publish && showNow },
      });
      if (publish) {
        deps.published(doc);
        notifyAgents(showNow);
      }
      return reply.status(201).send(doc);
    },
  );

  app.post(
    '/api/aup/documents/:id/publish',
    {
      config: { access: 'manageAup', trustWide: true },
      schema: {
        summary: 'Publish a version: it replaces its audience’s published one',
        tags,
        params: idParamsSchema,
        body: publishAupRequestSchema,
        response: { 200: aupDocumentSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const doc = await aup.publish(db, request.params.id);
      await audit(db, {
        actor: actor.id,
        action: 'aup.version.publish',
        subject: doc.id,
        detail: { audience: doc.audience, version: doc.version, showNow: request.body.showNow },
      });
      deps.published(doc);
      notifyAgents(request.body.showNow);
      return doc;
    },
  );

  app.get(
    '/api/aup/settings',
    {
      config: { access: 'manageAup' },
      schema: {
        summary: 'Audience rules, default audience and yearly expiry date',
        tags,
        response: { 200: aupSettingsViewSchema },
      },
    },
    async () => aup.getSettings(db),
  );

  app.put(
    '/api/aup/settings',
    {
      config: { access: 'manageAup', trustWide: true },
      schema: {
        summary: 'Replace the audience rules, default audience and yearly expiry date',
        tags,
        body: aupSettingsSchema,
        response: { 200: aupSettingsViewSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const saved = await aup.putSettings(db, request.body);
      await audit(db, { actor: actor.id, action: 'aup.settings.update', detail: saved });
      notifyAgents(false);
      return saved;
    },
  );

  app.get(
    '/api/aup/register',
    {
      config: { access: 'viewAupRegister' },
      schema: {
        summary: 'The acceptance register: every decision, newest first (filtered)',
        tags,
        querystring: aupRegisterQuerySchema,
        response: { 200: aupRegisterSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      // A school's staff read their school's computers' decisions only (core/tenancy.ts).
      const rooms = await roomIdsOfSchool(db, actor.schoolId);
      const entries = await aup.register(db, request.query, 5000, rooms);
      await audit(db, { actor: actor.id, action: 'aup.register.view', detail: request.query });
      const seen = (e: (typeof entries)[number]) => ({ login: e.username, roomId: e.roomId });
      const found = await people(entries.map(seen));
      return { entries: entries.map((e) => ({ ...e, person: found.of(seen(e)) })) };
    },
  );

  app.get(
    '/api/aup/register.csv',
    {
      config: { access: 'viewAupRegister' },
      schema: {
        summary:
          'The acceptance register as CSV: one row per decision (user, display name, audience, version, text hash, decision, time, device, room, source)',
        tags,
        querystring: aupRegisterQuerySchema,
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const rooms = await roomIdsOfSchool(db, actor.schoolId);
      const entries = await aup.register(db, request.query, 1_000_000, rooms);
      await audit(db, { actor: actor.id, action: 'aup.register.export', detail: request.query });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="aup-register-${day}.csv"`)
        .send(registerCsv(entries));
    },
  );

  app.get(
    '/api/aup/status',
    {
      config: { access: 'viewAupRegister' },
      schema: {
        summary: 'Each user’s standing: current, outdated, never or declined',
        tags,
        querystring: aupStatusQuerySchema,
        response: { 200: aupStatusListSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      // One entry per login in a school: two schools' jsmith are two children (docs/trust.md).
      const users = await aup.userStatuses(db, request.query, new Date(), actor.schoolId);
      await audit(db, { actor: actor.id, action: 'aup.status.view', detail: request.query });
      // Where the user was last seen says which school's pupil the login is.
      const seen = (u: (typeof users)[number]) => ({ login: u.username, roomId: u.lastRoomId });
      const found = await people(users.map(seen));
      return { users: users.map((u) => ({ ...u, person: found.of(seen(u)) })) };
    },
  );

  app.get(
    '/api/agent/aup/:id/audio',
    {
      config: { access: 'device' },
      schema: {
        summary:
          'A published policy read aloud: WAV audio (200), or {status:"pending"} while it is made (202), or {status:"unavailable"} (503)',
        tags: ['agent'],
        params: idParamsSchema,
      },
    },
    async (request, reply) => {
      const found = await deps.audio(request.params.id);
      if (!found) throw notFound('Policy version');
      if (found.status === 'ready') {
        return reply
          .header('content-type', 'audio/wav')
          .header('cache-control', 'private, no-store')
          .send(Buffer.from(found.base64, 'base64'));
      }
      return reply.status(found.status === 'pending' ? 202 : 503).send(found);
    },
  );
}
