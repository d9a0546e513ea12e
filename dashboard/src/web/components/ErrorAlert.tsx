import { useTranslation } from 'react-i18next';
import { describeError, type ErrorKind } from '../errors';
import { SecondFactorPrompt, type SecondFactorGuard } from './SecondFactorPrompt';

/**
 * A problem the user needs to know about, in plain words, announced by screen readers as it
 * appears. `overrides` gives a page's own words for a code (e.g. a wrong password at sign-in);
 * `secondFactorGuards` what a second factor protects here, for the prompt offered instead of
 * a `second_factor_required` refusal (safeguarding records unless said).
 */
export function ErrorAlert({
  error,
  overrides,
  secondFactorGuards,
}: {
  error: unknown;
  overrides?: Partial<Record<ErrorKind, string>>;
  secondFactorGuards?: SecondFactorGuard;
}) {
  const { t, i18n } = useTranslation();
  if (error === null || error === undefined) return null;
  const described = describeError(error, t, overrides);
  // Not a failure to report but a step to take: offer it (never the raw 403).
  if (described.kind === 'second_factor_required' && overrides?.second_factor_required === undefined)
    return <SecondFactorPrompt guards={secondFactorGuards} />;
  const english = i18n.language === 'en';
  const issues = english ? [...new Set(described.issues.map((i) => i.message))] : [];
  return (
    <div role="alert" className="alert alert-error">
      <p>{described.message}</p>
      {described.detail !== null &&
        (english ? (
          <p>{described.detail}</p>
        ) : (
          <p>
            {t('errors.detailInEnglish')} <span lang="en">{described.detail}</span>
          </p>
        ))}
      {issues.length > 0 && (
        <ul>
          {issues.map((message) => (
            <li key={message}>{message.charAt(0).toUpperCase() + message.slice(1)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Just the plain headline for an error, for places that frame it themselves. */
export function ErrorText({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return <>{describeError(error, t).message}</>;
}
