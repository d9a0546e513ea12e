import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { usePageTitle } from '../components/usePageTitle';

/**
 * A temporary password must be changed before anything else: the server refuses every other
 * request from this session (`password_change_required`), and the app shows only this.
 */
export function ChoosePasswordPage() {
  const { t } = useTranslation();
  usePageTitle(t('password.forced.title'));
  const { refresh } = useAuth();
  return (
    <>
      <h1>{t('password.forced.title')}</h1>
      <p>{t('password.forced.intro')}</p>
      <ChangePasswordForm currentLabel={t('password.temporary')} onChanged={refresh} />
    </>
  );
}
