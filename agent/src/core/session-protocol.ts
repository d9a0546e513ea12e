/**
 * The local channel between the machine service (one per computer, root/LocalSystem) and
 * the session helper (one per graphical session, running as the signed-in user). One
 * definition, checked on arrival at both ends.
 *
 * Framing: one JSON message per line (UTF-8, "\n"). A line longer than its limit, a
 * message nested deeper than `maxDepth`, invalid JSON or a message that fails its schema
 * is refused with a clear error and never reaches a handler; a framing violation also
 * ends that one connection. Nothing a helper sends can stop the service.
 *
 * The helper never says who it is: the service knows the peer's user from the kernel
 * (service/doors.ts) and stamps every event with it.
 */
import { z } from 'zod';
import {
  agentEventBodySchema,
  healthProblemSchema,
  idSchema,
  isoTimeSchema,
  osUserSchema,
} from '@harbour/shared';

/** Largest line either side accepts: a screenshot (8 MiB of PNG) in base64 plus its envelope. */
export const maxLineBytes = 12 * 1024 * 1024;
/** Everything but evidence is small: a line over this is refused unless it carries evidence. */
export const maxSmallLineBytes = 256 * 1024;
/** Deeper than any real message (an event body is about 5 levels deep). */
export const maxDepth = 32;
export const sessionProtocolVersion = 1;

const evidenceMimeSchema = z.enum(['image/png', 'image/jpeg']);

// ---- helper -> service --------------------------------------------------------------

export const helperHelloSchema = z.strictObject({
  t: z.literal('hello'),
  version: z.literal(sessionProtocolVersion),
  /** What the helper sees of its session; facts the kernel cannot prove (the uid is not here). */
  session: z.strictObject({
    display: z.string().max(200).nullable(),
    xauthority: z.string().max(4096).nullable(),
    runtimeDir: z.string().max(4096).nullable(),
    sessionId: z.string().max(64).nullable(),
    pid: z.number().int().positive(),
  }),
});

/** An outbox event, made by a feature in the session; the id is the helper's, so a resend is stored once. */
export const helperEnqueueSchema = z.strictObject({
  t: z.literal('enqueue'),
  seq: z.number().int().nonnegative(),
  event: z.strictObject({ id: idSchema, occurredAt: isoTimeSchema, body: agentEventBodySchema }),
});

export const helperEvidenceSchema = z.strictObject({
  t: z.literal('evidence'),
  seq: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mime: evidenceMimeSchema,
  base64: z.string().max(maxLineBytes),
});

export const helperStateSchema = z.strictObject({
  t: z.literal('state'),
  seq: z.number().int().nonnegative(),
  key: z.string().min(1).max(200),
  value: z
    .string()
    .max(256 * 1024)
    .nullable(),
});

/** A request to the server, relayed by the service (only the kinds a session may make). */
export const helperRequestSchema = z.strictObject({
  t: z.literal('request'),
  id: z.number().int().nonnegative(),
  event: z.string().max(64),
  payload: z.unknown(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

/** The session's own health problems (the whole list, replacing the last one). */
export const helperHealthSchema = z.strictObject({
  t: z.literal('health'),
  problems: z.array(healthProblemSchema).max(50),
});

/** The helper is leaving on purpose: its session ended (display gone) or it was asked to stop. */
export const helperByeSchema = z.strictObject({
  t: z.literal('bye'),
  reason: z.enum(['session-ended', 'stopping']),
});

export const helperMessageSchema = z.discriminatedUnion('t', [
  helperHelloSchema,
  helperEnqueueSchema,
  helperEvidenceSchema,
  helperStateSchema,
  helperRequestSchema,
  helperHealthSchema,
  helperByeSchema,
]);
export type HelperMessage = z.infer<typeof helperMessageSchema>;

// ---- service -> helper --------------------------------------------------------------

export const deviceIdentitySchema = z.strictObject({
  serverUrl: z.string(),
  deviceId: idSchema,
  roomId: idSchema,
});

/** What the session's features may use; the machine's settings for the screens. */
export const serviceWelcomeSchema = z.strictObject({
  t: z.literal('welcome'),
  user: osUserSchema,
  device: deviceIdentitySchema,
  online: z.boolean(),
  /** This session's own small state (namespaced by the service: no other session's). */
  state: z.record(z.string(), z.string()),
  features: z.strictObject({ aup: z.boolean(), helpBadge: z.boolean(), activity: z.boolean() }),
});

export const serviceAckSchema = z.strictObject({
  t: z.literal('ack'),
  seq: z.number().int().nonnegative(),
  /** Why the message was not taken (it will not be taken if sent again). */
  refused: z.string().max(500).optional(),
});

export const serviceResponseSchema = z.strictObject({
  t: z.literal('response'),
  id: z.number().int().nonnegative(),
  /** The server's Ack, or a local refusal shaped the same way. */
  result: z.unknown(),
});

export const servicePushSchema = z.strictObject({
  t: z.literal('push'),
  event: z.string().max(64),
  payload: z.unknown(),
});

export const serviceStatusSchema = z.strictObject({ t: z.literal('status'), online: z.boolean() });

export const serviceErrorSchema = z.strictObject({
  t: z.literal('error'),
  message: z.string().max(1000),
});

export const serviceMessageSchema = z.discriminatedUnion('t', [
  serviceWelcomeSchema,
  serviceAckSchema,
  serviceResponseSchema,
  servicePushSchema,
  serviceStatusSchema,
  serviceErrorSchema,
]);
export type ServiceMessage = z.infer<typeof serviceMessageSchema>;

// ---- framing ------------------------------------------------------------------------

export class ProtocolError extends Error {}

/** The deepest nesting of arrays and objects in a JSON text, counted without parsing it. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/** Parses one line against `schema`: a ProtocolError names what was wrong, nothing throws otherwise. */
export function decodeLine<S extends z.ZodType>(schema: S, line: string): z.output<S> {
  if (jsonDepth(line, maxDepth) > maxDepth) throw new ProtocolError(`message nested deeper than ${maxDepth}`);
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ProtocolError('message is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProtocolError(
      `message refused: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

export function encodeLine(message: HelperMessage | ServiceMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines, refusing any line over `maxBytes` before it is kept
 * whole (a peer streaming an endless line costs at most `maxBytes` of memory).
 */
export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Feeds bytes; throws a ProtocolError when a line is too long (the caller ends the connection). */
  push(data: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      const piece = data.subarray(start, nl);
      if (this.size + piece.length > this.maxBytes) throw new ProtocolError('message too large');
      this.chunks.push(piece);
      const line = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      this.size = 0;
      start = nl + 1;
      if (line.length > 0) this.onLine(line);
    }
    const rest = data.subarray(start);
    if (this.size + rest.length > this.maxBytes) throw new ProtocolError('message too large');
    if (rest.length > 0) {
      // Copy: the socket may reuse its buffer.
      this.chunks.push(Buffer.from(rest));
      this.size += rest.length;
    }
  }
}

/** A reply to a relayed request when the service itself refuses it (same shape as the server's). */
export function refusal(
  code: string,
  message: string,
): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}
