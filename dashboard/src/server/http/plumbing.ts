import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError, ErrorCode, Issue } from '@harbour/shared';
import { allows, type Access } from '../core/access.js';
import {
  sessionCookie,
  type AuthenticatedDevice,
  type Authenticators,
  type SessionUser,
} from '../core/identity.js';
import { HarbourError } from '../core/errors.js';
import { isDatabaseUnreachable } from '../db/database.js';
import type { OriginGuard } from './origin.js';
import type { RateLimit } from '../core/rate-limit.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route. Required for every /api route. */
    access?: Access;
    /**
     * The route takes a raw body (an image) rather than JSON. Every other state-changing
     * route accepts only `Content-Type: application/json`, even when it has no body.
     */
    rawBody?: true;
    /**
     * The route opens safeguarding records (incidents, evidence, a chronology): the session
     * must have proven a second factor, whatever the role (issue 17).
     */
    secondFactor?: boolean;
    /**
     * The route changes a setting that is one for the whole server, so for every school
     * (docs/trust.md): while the trust has more than one school, only trust-level staff
     * (`schoolId` null) may call it; a school's own staff are refused with 403 before anything
     * is read or written. With one school (or none) its staff keep full control.
     */
    trustWide?: true;
    /**
     * The route reads or changes one school's own settings, the school named by its `:id`
     * (docs/trust.md): a school's staff may name only their own school and are refused with
     * 403 for any other, before anything is read, written or audited; trust-level staff name
     * any school. Unlike `trustWide`, a school's staff keep it however many schools there are.
     */
    perSchool?: true;
    /** The route stays open to a session that must first change its password or enrol a second factor. */
    duringRestriction?: boolean;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    device: AuthenticatedDevice | null;
  }
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  /** The route changes a trust-wide setting (`config.trustWide`). */
  trustWide: boolean;
  /** The route is about one school's own settings (`config.perSchool`). */
  perSchool: boolean;
}

/** The refusal a school's staff get from a trust-wide route while the trust has several schools. */
export const trustWideRefusal = 'Only trust-level staff can change settings that apply to every school.';

/** The refusal a school's staff get from a per-school route naming another school. */
export const otherSchoolRefusal = 'You can see and change only your own school’s settings.';

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A request that changes something must come from one of our own pages (or from no browser
 * at all): its Origin, or failing that its Referer, must be this server's. A browser always
 * sends Origin on a cross-origin POST, so one missing both is a script or an agent, which
 * carries no ambient cookie of a member of staff. And a JSON route takes only
 * `application/json`, which no HTML form can send, so a form on another site (or another
 * port of this host) cannot reach it even where Origin is missing.
 */
export function checkCrossSite(request: FastifyRequest, guard: OriginGuard): void {
  if (!stateChanging.has(request.method)) return;
  const { origin, referer } = request.headers;
  if (origin !== undefined) {
    if (!guard.isOwnOrigin(origin, request.raw)) {
      throw new HarbourError('forbidden', 'Refused: this request came from a page on another site.');
    }
  } else if (referer !== undefined && !guard.isOwnUrl(referer, request.raw)) {
    throw new HarbourError('forbidden', 'Refused: this request came from a page on another site.');
  }
  if (request.routeOptions.config.rawBody) return;
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HarbourError(
      'unsupported_media_type',
      'Send JSON (Content-Type: application/json), even when there is no body.',
    );
  }
}

/**
 * Wires cross-site checks, authentication, per-route access checks and uniform error
 * responses into `app`. Returns the list of every /api route with its declared access (tests walk it).
 */
export function installPlumbing(
  app: FastifyInstance,
  authenticate: Authenticators,
  guard: OriginGuard,
  /** Whether the trust has more than one school (asked only of a school's staff on a trust-wide route). */
  severalSchools: () => Promise<boolean>,
  /** Requests to device routes (evidence uploads) one device may send a minute. */
  deviceRate?: RateLimit,
): RouteInfo[] {
  const routes: RouteInfo[] = [];
  app.decorateRequest('user', null);
  app.decorateRequest('device', null);

  // A bodiless POST still says application/json; Fastify's own parser would call an empty body an error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    void parseJson(request, text, done);
  });

  // Whenever the browser reached us over HTTPS, it should never again try plain HTTP.
  app.addHook('onSend', async (request, reply) => {
    if (guard.isHttps(request.raw)) void reply.header('strict-transport-security', 'max-age=31536000');
  });

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access`);
    const trustWide = route.config?.trustWide === true;
    const methods = [route.method].flat();
    // A trust-wide setting is refused on its changes; a read of it stays open to a school's staff.
    if (trustWide && !methods.every((m) => stateChanging.has(m)))
      throw new Error(
        `route ${String(route.method)} ${route.url} is trust-wide but does not change anything`,
      );
    const perSchool = route.config?.perSchool === true;
    if (perSchool && !route.url.includes('/:id/'))
      throw new Error(`route ${String(route.method)} ${route.url} is per-school but names no school (:id)`);
    for (const method of methods) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access, trustWide, perSchool });
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return;
    checkCrossSite(request, guard);
    request.user = await authenticate.staff(request.cookies[sessionCookie]);
    if (access === 'device') {
      const claimed = parseDeviceAuthorization(request.headers.authorization);
      const result = claimed ? await authenticate.device(claimed.deviceId, claimed.credential) : null;
      if (result?.ok) {
        request.device = result.device;
        const decision = await deviceRate?.take(`device-upload:${result.device.id}`);
        if (decision && !decision.ok) throw new HarbourError('rate_limited', decision.message);
        return;
      }
      if (result && result.code === 'revoked') throw new HarbourError('revoked', result.message);
      if (request.user) throw new HarbourError('forbidden', 'Only an enrolled device may call this.');
      throw new HarbourError(
        'unauthenticated',
        result?.message ?? 'Device credentials are missing or malformed.',
      );
    }
    const config = request.routeOptions.config;
    const user = request.user;
    if (user?.restriction && access !== 'public' && !config.duringRestriction) {
      throw user.restriction === 'password_change'
        ? new HarbourError(
            'password_change_required',
            'Choose a new password first: yours is a temporary one.',
          )
        : new HarbourError(
            'second_factor_required',
            'Set up a second factor first: the school requires one.',
          );
    }
    if (!allows(access, user?.role ?? null)) {
      if (!user) throw new HarbourError('unauthenticated', 'Sign in first.');
      throw new HarbourError('forbidden', 'Your role does not allow this.');
    }
    if (config.secondFactor && user && !user.secondFactor) {
      throw new HarbourError(
        'second_factor_required',
        'Sign in with a second factor first: this is kept behind one.',
      );
    }
    if (config.trustWide && user && user.schoolId !== null && (await severalSchools())) {
      throw new HarbourError('forbidden', trustWideRefusal);
    }
    // Before the params are validated: any id but the school's own is refused, a malformed one too.
    if (config.perSchool && user && user.schoolId !== null) {
      const named = Number((request.params as { id?: string }).id);
      if (named !== user.schoolId) throw new HarbourError('forbidden', otherSchoolRefusal);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.warn({ status, code: body.error.code, reason: body.error.message }, 'request refused');
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    // The address without its query and cut short: a 7 kB address is not echoed back.
    const path = request.url.split('?')[0] ?? '';
    const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
    const body: ApiError = {
      error: { code: 'not_found', message: `No route ${request.method} ${shown}` },
    };
    return reply.status(404).send(body);
  });

  return routes;
}

function errorBody(code: ErrorCode, message: string, issues?: Issue[]): ApiError {
  return { error: issues ? { code, message, issues } : { code, message } };
}

export function toErrorResponse(error: FastifyError): { status: number; body: ApiError } {
  if (error instanceof HarbourError) {
    return { status: error.status, body: errorBody(error.code, error.message, error.issues) };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const issues = error.validation.map((v) => ({
      path: `${where}${v.instancePath.replace(/\//g, '.').replace(/\.$/, '')}`,
      message: v.message ?? 'invalid',
    }));
    const first = issues[0];
    // A filter in the address is what a member of staff edits by hand (a bookmarked list):
    // say which one and what is wrong without Fastify's "querystring" (issue 16 item 8).
    // Bodies and paths keep naming the exact path, which API clients rely on.
    const field = first?.path.replace(/^querystring\.?/, '');
    const message = !first
      ? where === 'querystring'
        ? 'Please check the address.'
        : `Invalid ${where}`
      : where === 'querystring'
        ? `Please check the address${field ? ` (${field})` : ''}: ${first.message}.`
        : `Invalid ${where}: ${first.path}: ${first.message}`;
    return { status: 400, body: errorBody('validation_failed', message, issues) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('payload_too_large', 'The request body is too large.') };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: errorBody('unsupported_media_type', 'Send JSON (Content-Type: application/json).'),
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: errorBody('bad_request', 'The JSON body is empty.') };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: errorBody('bad_request', 'The body is not valid JSON.') };
    default:
      break;
  }
  if (error.statusCode === 429) {
    return {
      status: 429,
      body: errorBody('rate_limited', 'Too many attempts. Wait a minute and try again.'),
    };
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { status: 400, body: errorBody('bad_request', `Bad request: ${error.message}`) };
  }
  // PostgreSQL stopped or restarting: 503, which load balancers and retrying clients understand.
  if (isDatabaseUnreachable(error)) {
    return {
      status: 503,
      body: errorBody('internal', 'The database is not answering. Try again in a moment.'),
    };
  }
  return { status: 500, body: errorBody('internal', 'Something went wrong on the server.') };
}

/** The authenticated device; only call from routes whose access is 'device'. */
export function currentDevice(request: FastifyRequest): AuthenticatedDevice {
  if (!request.device) throw new HarbourError('unauthenticated', 'Device credentials are missing.');
  return request.device;
}

/** The signed-in user; only call from routes whose access is not 'public'. */
export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw new HarbourError('unauthenticated', 'Sign in first.');
  return request.user;
}

export function noContent(reply: FastifyReply) {
  return reply.status(204).send();
}

/** Parses `Authorization: Device <deviceId>:<credential>`. */
export function parseDeviceAuthorization(
  header: string | undefined,
): { deviceId: string; credential: string } | null {
  const match = /^Device ([0-9a-f-]{36}):(\S{16,128})$/i.exec(header ?? '');
  return match?.[1] && match[2] ? { deviceId: match[1].toLowerCase(), credential: match[2] } : null;
}
