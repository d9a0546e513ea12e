import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { describeIssues, type ApiError, type ErrorCode, type Issue, type UiLanguage } from '@harbour/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** Where `vite build` puts the pupil pages: agent/dist/browser (the same from src/core and dist/core). */
export const builtBrowserRoot = fileURLToPath(new URL('../../dist/browser/', import.meta.url));

/** The cookie that carries the per-start secret; the header is the same secret for non-browser callers. */
export const uiCookie = 'harbour_ui';
export const uiKeyHeader = 'x-harbour-ui-key';

/** An error a UI route throws on purpose: the page gets `{ error: { code, message } }` with `status`. */
export class UiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}

/** A route's answer that is not JSON (read-aloud audio): sent as it is, with its type. */
export class UiBytes {
  constructor(
    readonly type: string,
    readonly bytes: Buffer,
  ) {}
}

export interface UiRoute<S extends z.ZodType | undefined> {
  method: 'GET' | 'POST';
  /** Must start with /api/, e.g. /api/aup/current */
  path: string;
  /** The JSON body schema (POST); the body is refused with 400 unless it matches. */
  body?: S;
  /** `query` is the URL's query string, one value per name (the first, if repeated). */
  handler(body: S extends z.ZodType ? z.output<S> : undefined, query: Record<string, string>): unknown;
}

export interface UiServerOptions {
  logger: Logger;
  /** The built pages; defaults to agent/dist/browser. */
  root?: string;
  /** How long an entry ticket (the one-time secret in the URL a window opens) stays valid. */
  ticketTtlMs?: number;
}

/**
 * The agent's local web server for pupil-facing pages (the AUP, and later the "turn the
 * screen off and tell" cover and teacher messages). It serves the Vite build of
 * agent/src/browser and a small JSON API that features register with `route()`.
 *
 * It listens on 127.0.0.1 on a random port. Every request needs this start's random
 * secret, as an httpOnly SameSite=Strict cookie or the `x-harbour-ui-key` header, so
 * other programs on the computer can neither read the pages' data nor post decisions.
 * A window gets the cookie by opening `entryUrl(path)`: a single-use, short-lived ticket
 * (so the secret itself never appears on a command line) that sets the cookie and
 * redirects to the page. Requests for another Host are refused (DNS rebinding).
 */
export class UiServer {
  private readonly secret = randomBytes(32).toString('base64url');
  private readonly tickets = new Map<string, number>();
  private readonly routes: UiRoute<z.ZodType | undefined>[] = [];
  private app: FastifyInstance | undefined;
  private base: string | undefined;
  /**
   * The school's language for the pupil pages (from the AUP settings the server sends);
   * null until known, when the pages follow the computer's own language.
   */
  language: UiLanguage | null = null;

  constructor(private readonly options: UiServerOptions) {}

  /** Adds a JSON route for the pages. Call before `start()`. */
  route<S extends z.ZodType | undefined = undefined>(route: UiRoute<S>): void {
    if (this.app) throw new Error('UiServer: add routes before start()');
    if (!route.path.startsWith('/api/'))
      throw new Error(`UiServer: route ${route.path} must start with /api/`);
    this.routes.push(route);
  }

  /** e.g. http://127.0.0.1:41234 */
  get origin(): string {
    if (!this.base) throw new Error('UiServer: not started');
    return this.base;
  }

  /** A URL that opens `path` (e.g. "/aup") in a new window: valid once, for a short time. */
  entryUrl(path: string): string {
    const ticket = randomBytes(24).toString('base64url');
    const now = Date.now();
    for (const [t, expires] of this.tickets) if (expires < now) this.tickets.delete(t);
    this.tickets.set(ticket, now + (this.options.ticketTtlMs ?? 60_000));
    const url = new URL('/_enter', this.origin);
    url.searchParams.set('ticket', ticket);
    url.searchParams.set('next', safePath(path));
    return url.toString();
  }

  /** Headers that authenticate a non-browser caller (tests, the Electron shell). */
  authHeaders(): Record<string, string> {
    return { [uiKeyHeader]: this.secret };
  }

  async start(): Promise<void> {
    if (this.app) return;
    const root = this.options.root ?? builtBrowserRoot;
    const log = this.options.logger;
    const app = Fastify({ logger: false, bodyLimit: 32 * 1024 });
    this.app = app;
    await app.register(fastifyCookie);

    app.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
      );
      if (this.base && request.headers.host !== new URL(this.base).host) {
        return refuse(reply, 403, 'forbidden', 'Wrong host.');
      }
      // Pages on other ports of 127.0.0.1 are the same *site*, so a SameSite cookie still goes with
      // their <audio>/<img> requests: refuse anything a browser marks as not from this origin.
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        return refuse(reply, 403, 'forbidden', 'This page is only for the Harbour agent.');
      }
      if (request.url.startsWith('/_enter?')) return;
      if (!this.authorised(request)) {
        log.warn({ url: request.url.split('?')[0] }, 'ui server: request without the secret refused');
        return refuse(reply, 401, 'unauthenticated', 'This page is only for the Harbour agent.');
      }
    });

    app.get('/_enter', (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const ticket = typeof query.ticket === 'string' ? query.ticket : '';
      const expires = this.tickets.get(ticket);
      this.tickets.delete(ticket);
      if (expires === undefined || expires < Date.now()) {
        return refuse(reply, 403, 'forbidden', 'This link has expired.');
      }
      reply.setCookie(uiCookie, this.secret, { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.redirect(safePath(typeof query.next === 'string' ? query.next : '/'), 303);
    });

    app.get('/api/ui/language', () => ({ language: this.language }));

    for (const route of this.routes) {
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          let body: unknown = undefined;
          if (route.body) {
            const parsed = route.body.safeParse(request.body);
            if (!parsed.success) {
              const issues = describeIssues(parsed.error);
              const first = issues[0];
              return refuse(
                reply,
                400,
                'validation_failed',
                first ? `${first.path}: ${first.message}` : 'Invalid request',
                issues,
              );
            }
            body = parsed.data;
          }
          try {
            const query: Record<string, string> = {};
            for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
              const first: unknown = Array.isArray(value) ? value[0] : value;
              if (typeof first === 'string') query[name] = first;
            }
            const result = await route.handler(body, query);
            if (result instanceof UiBytes) return reply.type(result.type).send(result.bytes);
            return reply.send(result ?? {});
          } catch (error) {
            if (error instanceof UiError)
              return refuse(reply, error.status, error.code, error.message, error.issues);
            log.error({ err: error, route: route.path }, 'ui server: route failed');
            return refuse(reply, 500, 'internal', 'Something went wrong in Harbour.');
          }
        },
      });
    }

    if (fs.existsSync(root)) {
      await app.register(fastifyStatic, { root, wildcard: false, index: false });
    } else {
      log.warn({ root }, 'ui server: the pupil pages are not built; run `npm run build`');
    }
    // Client-side routes (/aup, /cover...) all get the page shell.
    app.setNotFoundHandler((request, reply) => {
      if (request.method !== 'GET' || request.url.startsWith('/api/')) {
        return refuse(reply, 404, 'not_found', `No route ${request.method} ${request.url}`);
      }
      if (!fs.existsSync(`${root}/index.html`)) return refuse(reply, 503, 'internal', 'Pages not built.');
      return reply.type('text/html').sendFile('index.html');
    });
    app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) return refuse(reply, 413, 'payload_too_large', 'The request is too large.');
      if (status >= 400 && status < 500) return refuse(reply, 400, 'bad_request', error.message);
      log.error({ err: error }, 'ui server: request failed');
      return refuse(reply, 500, 'internal', 'Something went wrong in Harbour.');
    });

    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    log.info({ origin: this.base }, 'ui server listening');
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.base = undefined;
    this.tickets.clear();
    await app?.close();
  }

  private authorised(request: FastifyRequest): boolean {
    const header = request.headers[uiKeyHeader];
    const given = typeof header === 'string' ? header : request.cookies[uiCookie];
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Only same-origin absolute paths: never `//host` or a full URL. */
function safePath(path: string): string {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') ? path : '/';
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string, issues?: Issue[]) {
  const body: ApiError = { error: issues ? { code, message, issues } : { code, message } };
  return reply.status(status).type('application/json').send(body);
}
