import { z } from 'zod';

// Control characters, bidirectional overrides/isolates and unpaired surrogates make
// names that display misleadingly (or not at all). Markup and SQL-looking text are
// fine: they are stored as given and always rendered as text, never as HTML or SQL.
// eslint-disable-next-line no-control-regex
const forbidden = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]|\p{Cs}/u;

/**
 * A single line of human text (a name, a hostname, a title): NFC-normalised, trimmed,
 * non-empty, bounded, with no control or bidi-override characters.
 */
export function safeText(max: number, what = 'text') {
  return z
    .string({ error: `${what} must be text` })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, { error: `${what} must not be empty` })
        .max(max, { error: `${what} must be at most ${max} characters` })
        .refine((s) => !forbidden.test(s), {
          error: `${what} contains control or direction-override characters`,
        })
        .refine((s) => !/[\r\n\t]/.test(s), { error: `${what} must be a single line` }),
    );
}

/** Like safeText but allows line breaks (for longer free text). */
export function safeMultilineText(max: number, what = 'text') {
  return z
    .string({ error: `${what} must be text` })
    .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .max(max, { error: `${what} must be at most ${max} characters` })
        .refine((s) => !forbidden.test(s.replace(/[\n\t]/g, ' ')), {
          error: `${what} contains control or direction-override characters`,
        }),
    );
}
