/**
 * Issue 18 item 4: the staff PIN, the concern email's SMTP server and "may pupils release the
 * cover" may be a school's own (docs/trust.md). Two schools on one real server (SQLite, or
 * PostgreSQL in integration-pg), each with a room and a real enrolled device, a DSL each and a
 * trust-level DSL, and a real SMTP server on loopback. A school's value overrides the trust's;
 * a school without one uses the trust's. A teacher of school B who knows school A's PIN cannot
 * release a cover on B's computer, nor A's with the trust's PIN once A has its own. B's DSL can
 * neither read nor change A's values (403, nothing written, nothing audited).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SafeguardingSettings } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { enrolTestDevice, sendEvent, tellBody, type TestDevice } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

const received: { user: string; from: string; to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let harbour: Harbour;
let admin: ApiClient;
const school = { a: 0, b: 0 };
const device = {} as Record<'a' | 'b', TestDevice>;
const staff = {} as Record<'dslA' | 'dslB' | 'trustDsl', { id: string; client: ApiClient }>;

const pins = { trust: '111111', a: '222222', b: '333333' };

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const ok = { trust: 'trust-secret', 'school-a': 'a-secret' }[auth.username ?? ''];
      if (ok && auth.password === ok) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          user: String(session.user),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address).sort(),
          data: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  harbour = await startInProcess();
  admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  await admin.enrolSecondFactor();
  const schools = await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  school.a = schools.body.schools[0]!.id;
  const b = await admin.json<{ id: number }>('POST', '/api/schools', {
    name: 'Brook Primary',
    code: 'brook',
  });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  school.b = b.body.id;
  for (const k of ['a', 'b'] as const) {
    const r = await admin.json<{ id: string }>('POST', '/api/rooms', {
      name: `Year 3 ${k}`,
      schoolId: school[k],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    device[k] = await enrolTestDevice(harbour.url, admin, r.body.id, `pc-${k}`);
  }
  staff.dslA = await admin.createStaff('dsl.a@trust.test', 'dsl', password, school.a);
  staff.dslB = await admin.createStaff('dsl.b@trust.test', 'dsl', password, school.b);
  staff.trustDsl = await admin.createStaff('dsl.trust@trust.test', 'dsl', password, null);

  // The trust's defaults: a PIN and an SMTP server, set by trust-level staff.
  const trust = staff.trustDsl.client;
  expect((await trust.json('PUT', '/api/safeguarding/staff-pin', { pin: pins.trust })).status).toBe(200);
  const set = await trust.json('PATCH', '/api/safeguarding/settings', {
    smtp: {
      host: '127.0.0.1',
      port: smtpPort,
      username: 'trust',
      password: 'trust-secret',
      from: 'harbour@trust.test',
      to: ['everyone@trust.test'],
    },
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
});
afterAll(async () => {
  for (const d of Object.values(device)) d.socket.close();
  await harbour?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const schoolUrl = (id: number | string, what: 'settings' | 'staff-pin') =>
  `/api/safeguarding/schools/${id}/${what}`;

async function coveredTell(k: 'a' | 'b'): Promise<(pin?: string) => Promise<unknown>> {
  const body = tellBody();
  expect(await sendEvent(device[k], body)).toMatchObject({ ok: true });
  return (pin?: string) => device[k].socket.emitWithAck('agent:tell-release', { tellId: body.tellId, pin });
}
const released = { ok: true, data: { released: true } };
const refused = { ok: true, data: { released: false } };

const tellSettings = (k: 'a' | 'b') => device[k].socket.emitWithAck('agent:tell-settings', {});

const lastAuditId = async () =>
  (await harbour.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())
    ?.id ?? 0;
const auditedSince = (since: number) =>
  harbour.db.selectFrom('audit_log').select(['actor', 'action', 'detail']).where('id', '>', since).execute();
const schoolRows = () =>
  harbour.db.selectFrom('school_settings').selectAll().orderBy('school_id').orderBy('key').execute();
const trustRows = () => harbour.db.selectFrom('safeguarding_settings').selectAll().orderBy('key').execute();

describe('the staff PIN is the school’s own, else the trust’s', () => {
  it('school A’s DSL sets A’s PIN: audited with the school, the hash alone kept', async () => {
    const since = await lastAuditId();
    const r = await staff.dslA.client.json('PUT', schoolUrl(school.a, 'staff-pin'), { pin: pins.a });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const rows = await schoolRows();
    expect(rows.map((x) => [x.school_id, x.key])).toEqual([[school.a, 'staffPinHash']]);
    expect(rows[0]!.value).toMatch(/argon2id/);
    expect(rows[0]!.value).not.toContain(pins.a);
    const trail = await auditedSince(since);
    expect(trail.map((t) => [t.actor, t.action])).toEqual([[staff.dslA.id, 'safeguarding.staff_pin']]);
    expect(JSON.parse(trail[0]!.detail!)).toEqual({ school: { id: school.a, name: 'School' } });
    expect(JSON.stringify(trail)).not.toContain(pins.a);
  });

  it('A’s computer is released with A’s PIN only; B’s computer with the trust’s, not A’s', async () => {
    expect(await tellSettings('a')).toMatchObject({ ok: true, data: { staffPinSet: true } });
    expect(await tellSettings('b')).toMatchObject({ ok: true, data: { staffPinSet: true } });

    const onA = await coveredTell('a');
    expect(await onA(pins.trust)).toMatchObject({
      ok: true,
      data: { released: false, message: /not right/ },
    });
    expect(await onA(pins.b)).toMatchObject(refused);
    expect(await onA(pins.a)).toMatchObject(released);

    const onB = await coveredTell('b');
    expect(await onB(pins.a)).toMatchObject({ ok: true, data: { released: false, message: /not right/ } });
    expect(await onB(pins.trust)).toMatchObject(released);
  });

  it('the trust’s DSL sets B’s PIN (audited naming B): then the trust’s no longer releases B’s computer', async () => {
    const since = await lastAuditId();
    const r = await staff.trustDsl.client.json('PUT', schoolUrl(school.b, 'staff-pin'), { pin: pins.b });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const trail = await auditedSince(since);
    expect(trail.map((t) => [t.actor, t.action])).toEqual([[staff.trustDsl.id, 'safeguarding.staff_pin']]);
    expect(JSON.parse(trail[0]!.detail!)).toEqual({ school: { id: school.b, name: 'Brook Primary' } });

    const onB = await coveredTell('b');
    expect(await onB(pins.trust)).toMatchObject(refused);
    expect(await onB(pins.a)).toMatchObject(refused);
    expect(await onB(pins.b)).toMatchObject(released);
  });

  it('clearing B’s PIN lets the trust’s apply to B’s computers again', async () => {
    const r = await staff.dslB.client.json('DELETE', schoolUrl(school.b, 'staff-pin'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const view = await staff.dslB.client.json<SafeguardingSettings>('GET', '/api/safeguarding/settings');
    expect(view.body).toMatchObject({ school: school.b, staffPinSet: true, inherited: { staffPin: true } });
    const onB = await coveredTell('b');
    expect(await onB(pins.b)).toMatchObject(refused);
    expect(await onB(pins.trust)).toMatchObject(released);
  });
});

describe('another school’s settings are out of reach', () => {
  it('B’s DSL cannot read or change A’s: 403, nothing written, nothing audited', async () => {
    const before = JSON.stringify([await schoolRows(), await trustRows()]);
    const since = await lastAuditId();
    const dslB = staff.dslB.client;
    const attempts: [string, string, unknown?][] = [
      ['GET', schoolUrl(school.a, 'settings')],
      ['PATCH', schoolUrl(school.a, 'settings'), { pupilsMayRelease: true }],
      ['PATCH', schoolUrl(school.a, 'settings'), { smtp: null }],
      ['PUT', schoolUrl(school.a, 'staff-pin'), { pin: '999999' }],
      ['DELETE', schoolUrl(school.a, 'staff-pin')],
      // Another spelling of a school that is not theirs.
      ['PUT', schoolUrl(`${school.a}.5`, 'staff-pin'), { pin: '999999' }],
      ['PUT', schoolUrl('abc', 'staff-pin'), { pin: '999999' }],
    ];
    for (const [method, url, body] of attempts) {
      const r = await dslB.json<{ error?: { code: string } }>(method, url, body);
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body.error?.code).toBe('forbidden');
    }
    expect(JSON.stringify([await schoolRows(), await trustRows()])).toBe(before);
    expect(await auditedSince(since)).toEqual([]);
    // A's PIN still releases A's computer.
    expect(await (await coveredTell('a'))(pins.a)).toMatchObject(released);
  });

  it('a school’s DSL still cannot change the trust’s own values while there are several schools', async () => {
    for (const [method, url, body] of [
      ['PUT', '/api/safeguarding/staff-pin', { pin: '999999' }],
      ['PATCH', '/api/safeguarding/settings', { pupilsMayRelease: true }],
    ] as const) {
      expect((await staff.dslA.client.json(method, url, body)).status).toBe(403);
    }
  });

  it('a school that does not exist answers 404 to the trust’s staff', async () => {
    const r = await staff.trustDsl.client.json('PUT', schoolUrl(999999, 'staff-pin'), { pin: '999999' });
    expect(r.status).toBe(404);
    expect((await staff.trustDsl.client.json('GET', schoolUrl(999999, 'settings'))).status).toBe(404);
  });

  it('a bad body is refused with 400 naming what is wrong, and changes nothing', async () => {
    const before = JSON.stringify([await schoolRows(), await trustRows()]);
    const since = await lastAuditId();
    const goodSmtp = { host: 'mail.a.test', from: 'a@a.test', to: ['x@a.test'] };
    for (const [method, url, body, says] of [
      ['PUT', schoolUrl(school.a, 'staff-pin'), { pin: '12a4' }, /4 to 8 digits/],
      ['PUT', schoolUrl(school.a, 'staff-pin'), { pin: '12' }, /4 to 8 digits/],
      ['PATCH', schoolUrl(school.a, 'settings'), { smtp: { ...goodSmtp, port: 0 } }, /port/],
      ['PATCH', schoolUrl(school.a, 'settings'), { pupilsMayRelease: 'yes' }, /pupilsMayRelease/],
      // Categories and retention are the trust's only.
      ['PATCH', schoolUrl(school.a, 'settings'), { retention: { incidents: 5 } }, /retention/],
      ['PATCH', schoolUrl(school.a, 'settings'), {}, /smtp or pupilsMayRelease/],
    ] as const) {
      const r = await staff.dslA.client.json<{ error?: { message: string } }>(method, url, body);
      expect(r.status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error?.message).toMatch(says);
    }
    expect(JSON.stringify([await schoolRows(), await trustRows()])).toBe(before);
    expect(await auditedSince(since)).toEqual([]);
  });
});

describe('whether pupils may release the cover is the school’s own, else the trust’s', () => {
  it('A says yes: a pupil releases on A’s computer, not on B’s; cleared, A follows the trust again', async () => {
    const set = await staff.dslA.client.json<SafeguardingSettings>('PATCH', schoolUrl(school.a, 'settings'), {
      pupilsMayRelease: true,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      school: school.a,
      pupilsMayRelease: true,
      inherited: { pupilsMayRelease: false, smtp: true, staffPin: false },
    });
    expect(await tellSettings('a')).toMatchObject({ ok: true, data: { pupilsMayRelease: true } });
    expect(await tellSettings('b')).toMatchObject({ ok: true, data: { pupilsMayRelease: false } });
    expect(await (await coveredTell('a'))()).toMatchObject(released);
    expect(await (await coveredTell('b'))()).toMatchObject(refused);
    const viewB = await staff.dslB.client.json<SafeguardingSettings>('GET', '/api/safeguarding/settings');
    expect(viewB.body).toMatchObject({
      school: school.b,
      pupilsMayRelease: false,
      inherited: { pupilsMayRelease: true },
    });

    const cleared = await staff.dslA.client.json<SafeguardingSettings>(
      'PATCH',
      schoolUrl(school.a, 'settings'),
      {
        pupilsMayRelease: null,
      },
    );
    expect(cleared.body).toMatchObject({ pupilsMayRelease: false, inherited: { pupilsMayRelease: true } });
    expect(await (await coveredTell('a'))()).toMatchObject(refused);
  });
});

describe('the concern email goes through the incident’s school’s SMTP server, else the trust’s', () => {
  it('A’s concerns through A’s server to A’s list; B’s through the trust’s to B’s and the trust’s DSLs', async () => {
    const since = await lastAuditId();
    const set = await staff.dslA.client.json<SafeguardingSettings>('PATCH', schoolUrl(school.a, 'settings'), {
      smtp: {
        host: '127.0.0.1',
        port: smtpPort,
        username: 'school-a',
        password: 'a-secret',
        from: 'harbour@a.test',
        to: ['concerns@a.test'],
      },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.smtp?.password).toBe('********');
    expect(set.body.inherited?.smtp).toBe(false);
    const trail = await auditedSince(since);
    expect(JSON.parse(trail[0]!.detail!)).toMatchObject({ school: { id: school.a } });
    expect(JSON.stringify(trail)).not.toContain('a-secret');
    // Neither school's DSL is ever sent a password back.
    for (const who of [staff.dslA, staff.dslB, staff.trustDsl]) {
      const text = JSON.stringify((await who.client.json('GET', '/api/safeguarding/settings')).body);
      expect(text).not.toContain('a-secret');
      expect(text).not.toContain('trust-secret');
    }
    const viewB = await staff.dslB.client.json<SafeguardingSettings>('GET', '/api/safeguarding/settings');
    expect(viewB.body.smtp?.from).toBe('harbour@trust.test');
    expect(viewB.body.inherited?.smtp).toBe(true);

    const record = async (client: ApiClient) => {
      const r = await client.json<{ ref: string }>('POST', '/api/incidents', {
        summary: 'A worry',
        category: 'other',
        subject: { name: 'Sam Example' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.ref;
    };
    const refA = await record(staff.dslA.client);
    const mailA = await waitFor(() => received.find((m) => m.data.includes(refA)), { what: 'A’s email' });
    expect(mailA).toMatchObject({ user: 'school-a', from: 'harbour@a.test', to: ['concerns@a.test'] });
    const refB = await record(staff.dslB.client);
    const mailB = await waitFor(() => received.find((m) => m.data.includes(refB)), { what: 'B’s email' });
    expect(mailB).toMatchObject({
      user: 'trust',
      from: 'harbour@trust.test',
      to: ['dsl.b@trust.test', 'dsl.trust@trust.test'],
    });

    // The masked password sent back keeps A's; clearing A's server sends A's through the trust's.
    const keep = await staff.dslA.client.json('PATCH', schoolUrl(school.a, 'settings'), {
      smtp: { ...set.body.smtp, from: 'safeguarding@a.test' },
    });
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    const refA2 = await record(staff.dslA.client);
    const mailA2 = await waitFor(() => received.find((m) => m.data.includes(refA2)), {
      what: 'A’s second email',
    });
    expect(mailA2).toMatchObject({ user: 'school-a', from: 'safeguarding@a.test' });
    expect(
      (await staff.dslA.client.json('PATCH', schoolUrl(school.a, 'settings'), { smtp: null })).status,
    ).toBe(200);
    const refA3 = await record(staff.dslA.client);
    const mailA3 = await waitFor(() => received.find((m) => m.data.includes(refA3)), {
      what: 'A’s third email',
    });
    expect(mailA3).toMatchObject({ user: 'trust', from: 'harbour@trust.test' });
    expect(mailA3.to).toContain('dsl.a@trust.test');
  });
});
