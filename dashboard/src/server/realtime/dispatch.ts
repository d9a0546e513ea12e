import {
  limits,
  measureJson,
  parseWith,
  type Ack,
  type ApiError,
  type RequestSpecs,
  type RequestOf,
} from '@harbour/shared';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { HarbourError } from '../core/errors.js';
import type { Handlers } from '../core/feature.js';
import type { RateLimit } from '../core/rate-limit.js';

type ErrorBody = ApiError['error'];

function refusal(code: ErrorBody['code'], message: string, issues?: ErrorBody['issues']): Ack<never> {
  return { ok: false, error: issues ? { code, message, issues } : { code, message } };
}

/**
 * Registers validated request handlers on a socket. Every incoming event is checked,
 * in order: known event name, acknowledgement present, payload size, payload schema.
 * Anything refused gets a clear error back (through the ack when there is one, else as
 * a `server:error` push) and a log line; it never reaches a handler or the database.
 */
export function dispatch<S extends RequestSpecs, C>(
  socket: Socket,
  specs: S,
  handlers: Handlers<S, C>,
  context: C,
  log: Logger,
  /** Whether this connection may send `event`; checked before the payload is even looked at. */
  authorize: (event: keyof S & string) => boolean = () => true,
  /** How many requests this connection's caller (a device, a staff sign-in) may send a minute. */
  limit?: { rate: RateLimit; key: string },
): void {
  const refuse = (event: string, args: unknown[], result: Ack<never>) => {
    if (result.ok) return;
    log.warn(
      { event, code: result.error.code, reason: result.error.message, issues: result.error.issues },
      'socket event refused',
    );
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (r: Ack<never>) => void)(result);
    else socket.emit('server:error', { code: result.error.code, message: result.error.message });
  };

  // A protocol violation (a malformed or absurdly nested binary packet) reaches the socket
  // as an "error" event; without a listener, Node would throw it and stop the server.
  socket.on('error', (error) => {
    log.warn({ reason: error.message }, 'socket protocol error; connection closed');
    socket.disconnect(true);
  });

  socket.use(([event, ...args], next) => {
    if (!limit) return check(event, args, next);
    limit.rate.take(limit.key).then(
      (decision) => {
        if (decision.ok) return check(event, args, next);
        refuse(event, args, refusal('rate_limited', decision.message));
      },
      (error: unknown) => {
        log.error({ err: error }, 'rate limit check failed');
        refuse(event, args, refusal('internal', 'Something went wrong on the server.'));
      },
    );
  });

  function check(event: string, args: unknown[], next: (err?: Error) => void): void {
    if (!Object.hasOwn(specs, event)) {
      return refuse(event, args, refusal('unknown_event', `Unknown event "${event}".`));
    }
    if (!authorize(event)) {
      return refuse(event, args, refusal('forbidden', 'Your role does not allow this.'));
    }
    const ack: unknown = args.at(-1);
    if (typeof ack !== 'function' || args.length !== 2) {
      return refuse(
        event,
        args,
        refusal('bad_request', `"${event}" takes one payload and an acknowledgement callback.`),
      );
    }
    // Measured without recursion before anything recursive (a schema, a logger) sees the payload.
    const measured = measureJson(args[0], {
      depth: limits.maxSocketPayloadDepth,
      bytes: limits.maxSocketPayloadBytes,
    });
    if (!measured.ok) {
      return refuse(
        event,
        args,
        refusal(
          'payload_too_large',
          measured.reason === 'depth'
            ? `"${event}" payload is nested more than ${measured.limit} levels deep.`
            : `"${event}" payload is larger than ${measured.limit} bytes.`,
        ),
      );
    }
    next();
  }

  for (const event of Object.keys(specs) as (keyof S & string)[]) {
    const spec = specs[event];
    const handler = handlers[event];
    if (!spec) continue;
    const listener = (payload: unknown, ack: (result: Ack<unknown>) => void) => {
      const parsed = parseWith(spec.request, payload);
      if (!parsed.ok) {
        const first = parsed.issues[0];
        const message = first ? `Invalid "${event}": ${first.path}: ${first.message}` : `Invalid "${event}"`;
        return refuse(event, [ack], refusal('validation_failed', message, parsed.issues));
      }
      handler(parsed.value as RequestOf<S, typeof event>, context).then(
        (data) => ack({ ok: true, data }),
        (error: unknown) => {
          if (error instanceof HarbourError)
            return refuse(event, [ack], refusal(error.code, error.message, error.issues));
          log.error({ err: error, event }, 'socket handler failed');
          ack(refusal('internal', 'Something went wrong on the server.'));
        },
      );
    };
    // The socket's own event map is the one these specs derive; this generic helper sees it untyped.
    const name: string = event;
    (socket as Socket<Record<string, typeof listener>>).on(name, listener);
  }
}
