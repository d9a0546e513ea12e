import type { z } from 'zod';
import type { Issue } from './result.js';

/** Turns zod issues into `{ path, message }` pairs, with the failing path as `a.b[0].c`. */
export function describeIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Validates `input` against `schema` without throwing; reports each failing path. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: describeIssues(result.error) };
}

export type JsonMeasure =
  { ok: true; bytes: number; depth: number } | { ok: false; reason: 'depth' | 'size'; limit: number };

/**
 * The size (UTF-8 bytes, as JSON) and nesting depth of a value, measured without recursion
 * and abandoned as soon as either limit is passed. Anything received from outside is
 * measured with this before code that recurses (JSON.stringify, a logger, a schema) can
 * touch it: 60,000 nested arrays fit in 120 KB and overflow the stack of anything that
 * walks them recursively.
 */
export function measureJson(value: unknown, max: { depth: number; bytes: number }): JsonMeasure {
  let bytes = 0;
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (depth > max.depth) return { ok: false, reason: 'depth', limit: max.depth };
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') {
      bytes += typeof v === 'bigint' ? String(v).length : (JSON.stringify(v) ?? 'null').length;
    } else if (typeof v === 'string') {
      bytes += utf8Length(JSON.stringify(v));
    } else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      bytes += v.byteLength;
    } else if (Array.isArray(v)) {
      bytes += 2 + Math.max(0, v.length - 1);
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i] === undefined ? null : v[i], depth: depth + 1 });
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(
        ([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol',
      );
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [k, x] of entries) {
        bytes += utf8Length(JSON.stringify(k)) + 1;
        stack.push({ value: x, depth: depth + 1 });
      }
    }
    if (bytes > max.bytes) return { ok: false, reason: 'size', limit: max.bytes };
  }
  return { ok: true, bytes, depth: deepest };
}

/** Byte length of a value as it travels as JSON (UTF-8); iterative, so any depth is safe. */
export function jsonByteLength(value: unknown): number {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 0;
  const m = measureJson(value, { depth: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY });
  return m.ok ? m.bytes : 0;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
