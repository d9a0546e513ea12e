/**
 * What a password must be: long enough (limits.passwordMin, checked by the request schema)
 * and hard to guess, judged by zxcvbn-ts with its common-password, name and English
 * dictionaries, offline. A score below 3 ("safely unguessable" starts at 3, about 10^8
 * guesses) is refused, as are passwords built from the account's own email or name.
 * The optional check against the Have I Been Pwned range API (k-anonymity: only the first
 * five hex digits of the SHA-1 leave the server) is off unless HARBOUR_PASSWORD_BREACH_CHECK
 * names its address.
 */
import { createHash } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { HarbourError } from '../../core/errors.js';

export const minimumScore = 3;

let factory: ZxcvbnFactory | undefined;
function checker(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return factory;
}

export interface PasswordPolicy {
  /** Throws `validation_failed` on `field` when `password` is too easy to guess. */
  check(password: string, about: { email?: string; displayName?: string }, field?: string): Promise<void>;
}

export function passwordPolicy(options: { breachCheckUrl?: string | undefined } = {}): PasswordPolicy {
  return {
    async check(password, about, field = 'password') {
      // The person's own names, also run together (gwen.morgan, "Gwen Morgan" → gwenmorgan).
      const local = about.email?.split('@')[0] ?? '';
      const names = about.displayName ?? '';
      const inputs = [
        'harbour',
        about.email ?? '',
        local,
        local.replace(/[^\p{L}\p{N}]/gu, ''),
        ...names.split(/\s+/),
        names.replace(/[^\p{L}\p{N}]/gu, ''),
      ].filter((s) => s.length >= 3);
      const result = checker().check(password, inputs);
      if (result.score < minimumScore) {
        const why = result.feedback.warning ?? 'It is too easy to guess.';
        throw new HarbourError('validation_failed', `That password is too easy to guess. ${why}`, [
          { path: `body.${field}`, message: 'too easy to guess' },
        ]);
      }
      if (options.breachCheckUrl && (await seenInBreaches(options.breachCheckUrl, password))) {
        throw new HarbourError(
          'validation_failed',
          'That password has appeared in a data breach, so attackers try it. Choose another.',
          [{ path: `body.${field}`, message: 'found in a data breach' }],
        );
      }
    },
  };
}

/** The HIBP range query: a failure to ask is not a reason to refuse the password (logged by the caller). */
async function seenInBreaches(baseUrl: string, password: string): Promise<boolean> {
  const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  const prefix = sha1.slice(0, 5);
  const suffix = sha1.slice(5);
  try {
    const response = await fetch(
      new URL(`range/${prefix}`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`),
      {
        headers: { 'add-padding': 'true' },
        signal: AbortSignal.timeout(3000),
      },
    );
    if (!response.ok) return false;
    const text = await response.text();
    return text.split('\n').some((line) => {
      const [hash, count] = line.trim().split(':');
      return hash === suffix && Number(count) > 0;
    });
  } catch {
    return false;
  }
}
