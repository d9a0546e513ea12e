import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { waitFor } from '../support/wait.js';

// A real SMTP server on loopback receives what Harbour sends.
const received: { from: string; to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let harbour: Harbour;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'harbour' && auth.password === 'smtp-secret') callback(null, { user: 'harbour' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  harbour = await startInProcess();
});
afterAll(async () => {
  await harbour.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('emails the DSL that a concern is waiting, naming no pupil', async () => {
  const { dsl } = await staffClients(harbour);
  const set = await dsl.json<{ smtp: { password?: string } }>('PATCH', '/api/safeguarding/settings', {
    smtp: {
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      username: 'harbour',
      password: 'smtp-secret',
      from: 'harbour@school.test',
      to: ['dsl@school.test'],
    },
  });
  expect(set.status).toBe(200);
  expect(set.body.smtp.password).toBe('********');
  const trail = await harbour.db
    .selectFrom('audit_log')
    .select('detail')
    .where('action', '=', 'safeguarding.settings')
    .execute();
  expect(JSON.stringify(trail)).not.toContain('smtp-secret');

  const created = await dsl.json<{ ref: string }>('POST', '/api/incidents', {
    summary: 'Disclosure by Jamie Example',
    category: 'other',
    subject: { name: 'Jamie Example', username: 'jexample' },
  });
  expect(created.status).toBe(201);
  const mail = await waitFor(() => received[0], { what: 'the email', timeoutMs: 15_000 });
  expect(mail.to).toEqual(['dsl@school.test']);
  expect(mail.data).toContain('a safeguarding concern is waiting');
  expect(mail.data).toContain(created.body.ref);
  for (const secret of ['Jamie', 'jexample', 'Disclosure']) expect(mail.data).not.toContain(secret);
});
