import {
  createdEnrolmentTokenSchema,
  createEnrolmentTokenRequestSchema,
  enrolmentTokenListSchema,
  enrolmentTokenSchema,
  enrolRequestSchema,
  enrolResponseSchema,
  idParamsSchema,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { createToken, enrol, listTokens, revokeToken } from './enrolment.js';

export function enrolmentRoutes(app: App, db: Db, enrolRateLimit: number): void {
  app.get(
    '/api/enrolment-tokens',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'List enrolment tokens',
        tags: ['enrolment'],
        response: { 200: enrolmentTokenListSchema },
      },
    },
    async (request) => ({ tokens: await listTokens(db, currentUser(request).schoolId) }),
  );

  app.post(
    '/api/enrolment-tokens',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Create an enrolment token for a room; the token is shown only in this response',
        tags: ['enrolment'],
        body: createEnrolmentTokenRequestSchema,
        response: { 201: createdEnrolmentTokenSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createToken(db, currentUser(request), request.body)),
  );

  app.post(
    '/api/enrolment-tokens/:id/revoke',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Revoke an enrolment token (devices already enrolled stay enrolled)',
        tags: ['enrolment'],
        params: idParamsSchema,
        response: { 200: enrolmentTokenSchema },
      },
    },
    async (request) => revokeToken(db, currentUser(request), request.params.id),
  );

  app.post(
    '/api/agent/enrol',
    {
      config: { access: 'public', rateLimit: { max: enrolRateLimit, timeWindow: '1 minute' } },
      schema: {
        summary: 'Enrol a device with an enrolment token; returns its own credential (shown once)',
        tags: ['agent'],
        body: enrolRequestSchema,
        response: { 201: enrolResponseSchema },
      },
    },
    async (request, reply) => {
      const { deviceId, credential, roomId } = await enrol(db, request.body);
      const { hostname } = request.body;
      request.log.info({ deviceId, hostname, roomId }, 'device enrolled');
      return reply.status(201).send({ deviceId, credential, roomId });
    },
  );
}
