import {
  evidenceMimeTypes,
  evidenceUploadQuerySchema,
  evidenceUploadResponseSchema,
  maxEvidenceBytes,
  type EvidenceMime,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';
import { currentDevice } from '../../http/plumbing.js';
import { storeEvidence } from './store.js';

export function evidenceRoutes(app: App, db: Db, evidenceDir: string): void {
  // Images arrive as raw bytes; JSON routes keep their small body limit.
  app.addContentTypeParser(
    [...evidenceMimeTypes],
    { parseAs: 'buffer', bodyLimit: maxEvidenceBytes },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/agent/evidence',
    {
      config: { access: 'device', rawBody: true },
      bodyLimit: maxEvidenceBytes,
      schema: {
        summary:
          'Upload a screenshot (raw PNG or JPEG body) before the event that refers to it; idempotent by SHA-256',
        tags: ['agent'],
        querystring: evidenceUploadQuerySchema,
        response: { 200: evidenceUploadResponseSchema, 201: evidenceUploadResponseSchema },
      },
    },
    async (request, reply) => {
      const device = currentDevice(request);
      const mime = request.headers['content-type']?.split(';')[0]?.trim() as EvidenceMime | undefined;
      if (
        !Buffer.isBuffer(request.body) ||
        !mime ||
        !(evidenceMimeTypes as readonly string[]).includes(mime)
      ) {
        throw new HarbourError(
          'bad_request',
          'Send the image as the raw body with Content-Type image/png or image/jpeg.',
        );
      }
      if (request.body.length === 0) throw new HarbourError('bad_request', 'The evidence is empty.');
      const result = await storeEvidence(db, evidenceDir, {
        deviceId: device.id,
        bytes: request.body,
        mime,
        claimedSha256: request.query.sha256,
      });
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );
}
