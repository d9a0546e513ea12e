import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { changePasswordRequestSchema, limits } from '@harbour/shared';
import { ApiRequestError, api } from '../api';
import { checkForm } from '../validate';
import { ErrorAlert } from './ErrorAlert';
import { TextField } from './Field';
import { FormProblems } from './formProblems';
import { usePasswordProblem } from './passwordProblem';
import { useSubmit } from './useAction';

/** The two "new password" fields and their check that they match, for a change or a reset. */
export function checkNewPassword(newPassword: string, again: string): void {
  if (newPassword !== again) {
    throw new ApiRequestError(0, 'validation_failed', 'The passwords do not match.', [
      { path: 'again', message: 'does not match' },
    ]);
  }
}

/** Change your own password: the current one (the temporary one, for a forced change), then a new one twice. */
export function ChangePasswordForm({
  currentLabel,
  onChanged,
}: {
  currentLabel: string;
  onChanged: () => Promise<void> | void;
}) {
  const { t } = useTranslation();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, run } = useSubmit();
  const newProblem = usePasswordProblem(error, 'newPassword');
  const currentProblem = usePasswordProblem(error, 'currentPassword');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { currentPassword, newPassword };
      checkForm(changePasswordRequestSchema, body);
      checkNewPassword(newPassword, again);
      await api.post('/api/auth/password', body);
      setCurrent('');
      setNew('');
      setAgain('');
      await onChanged();
    });
  }

  return (
    <FormProblems error={error}>
      <form onSubmit={submit} noValidate>
        <TextField
          label={currentLabel}
          name="currentPassword"
          invalid={currentProblem}
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={setCurrent}
          required
        />
        <NewPasswordFields
          newPassword={newPassword}
          again={again}
          setNew={setNew}
          setAgain={setAgain}
          problem={newProblem}
        />
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('password.submit')}
        </button>
      </form>
    </FormProblems>
  );
}

export function NewPasswordFields({
  newPassword,
  again,
  setNew,
  setAgain,
  problem,
}: {
  newPassword: string;
  again: string;
  setNew: (v: string) => void;
  setAgain: (v: string) => void;
  problem: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        label={t('password.new')}
        name="newPassword"
        hint={t('password.hint', { min: limits.passwordMin })}
        invalid={problem}
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onChange={setNew}
        required
      />
      <TextField
        label={t('password.again')}
        name="again"
        invalid={t('password.mismatch')}
        type="password"
        autoComplete="new-password"
        value={again}
        onChange={setAgain}
        required
      />
    </>
  );
}
