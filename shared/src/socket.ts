/**
 * How a set of zod-described socket events becomes socket.io's event interfaces.
 *
 * Every client-to-server event is a request with an acknowledgement: the client
 * sends a payload and a callback, the server validates the payload against the
 * event's schema and answers `{ ok: true, data }` or `{ ok: false, error }`.
 */
import type { z } from 'zod';
import type { Ack } from './result.js';

export interface RequestSpec {
  request: z.ZodType;
  response: z.ZodType;
}
export type RequestSpecs = Record<string, RequestSpec>;

/** socket.io ClientToServerEvents derived from request specs. */
export type RequestEvents<S extends RequestSpecs> = {
  [K in keyof S]: (
    payload: z.input<S[K]['request']>,
    ack: (result: Ack<z.output<S[K]['response']>>) => void,
  ) => void;
};

/** socket.io ServerToClientEvents derived from a map of payload schemas. */
export type PushEvents<S extends Record<string, z.ZodType>> = {
  [K in keyof S]: (payload: z.output<S[K]>) => void;
};

export type RequestOf<S extends RequestSpecs, K extends keyof S> = z.output<S[K]['request']>;
export type ResponseOf<S extends RequestSpecs, K extends keyof S> = z.output<S[K]['response']>;
