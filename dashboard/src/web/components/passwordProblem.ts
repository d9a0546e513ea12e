import { useTranslation } from 'react-i18next';
import { limits } from '@harbour/shared';
import { ApiRequestError } from '../api';
import { fieldPath } from '../errors';

/**
 * What to say under a new password the server's policy refused, in the reader's language:
 * too short, too easy to guess (with zxcvbn's own reason, which is English, in English only),
 * seen in a breach, or the same as before. The server decides; this only puts it in words.
 */
export function usePasswordProblem(error: unknown, field: string): string {
  const { t, i18n } = useTranslation();
  const fallback = t('password.tooShort', { min: limits.passwordMin });
  if (!(error instanceof ApiRequestError)) return fallback;
  const issue = error.issues.find((i) => fieldPath(i.path) === field);
  if (!issue) return fallback;
  switch (issue.message) {
    case 'too easy to guess': {
      // "That password is too easy to guess. This is a top-10 common password."
      const why = error.message.replace(/^That password is too easy to guess\.\s*/, '').trim();
      const reason = i18n.language === 'en' && why !== '' && why !== error.message ? ` ${why}` : '';
      return `${t('password.tooEasy')}${reason}`;
    }
    case 'found in a data breach':
      return t('password.breached');
    case 'the same as the current one':
      return t('password.same');
    case 'not right':
      return t('password.currentWrong');
    default:
      return fallback;
  }
}
