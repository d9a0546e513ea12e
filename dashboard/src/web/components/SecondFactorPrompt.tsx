import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { useAuth } from '../auth';

/**
 * What the second factor guards where the prompt appears: its reason is said in those terms
 * (a technician adding a school is not opening safeguarding records).
 */
export type SecondFactorGuard = 'records' | 'schools' | 'accounts' | 'recoveryCodes';

/**
 * What a page shows instead of "forbidden" when the server answers `second_factor_required`:
 * safeguarding records open only in a session that proved a second factor. Someone without
 * one is offered the set-up now; someone who has one (set up in another window) signs in again.
 */
export function SecondFactorPrompt({ guards = 'records' }: { guards?: SecondFactorGuard }) {
  const { t } = useTranslation();
  const { state, signOut } = useAuth();
  const location = useLocation();
  const enrolled = state.status === 'signedIn' && state.user.secondFactor === true;
  const back = `${location.pathname}${location.search}`;
  return (
    <section className="panel panel-highlight second-factor-prompt" aria-labelledby="second-factor-prompt">
      <h2 id="second-factor-prompt">{t('secondFactor.prompt.title')}</h2>
      <p>{t(`secondFactor.prompt.why.${guards}`)}</p>
      {enrolled ? (
        <>
          <p>{t('secondFactor.prompt.signInAgain')}</p>
          <button type="button" className="button button-primary" onClick={() => void signOut()}>
            {t('secondFactor.prompt.signOut')}
          </button>
        </>
      ) : (
        <>
          <p>{t('secondFactor.prompt.setUp')}</p>
          <Link
            className="button button-primary"
            to={`/account/second-factor?next=${encodeURIComponent(back)}`}
          >
            {t('secondFactor.prompt.setUpNow')}
          </Link>
        </>
      )}
    </section>
  );
}
