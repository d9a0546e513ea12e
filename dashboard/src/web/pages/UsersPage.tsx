import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  createUserRequestSchema,
  limits,
  roles,
  type IdentitySettings,
  type Role,
  type School,
  type User,
} from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { TrustWide, TrustWideNote } from '../components/TrustWide';
import { SsoSettings } from '../components/SsoSettings';
import { FormProblems } from '../components/formProblems';
import { usePasswordProblem } from '../components/passwordProblem';
import { useFormat } from '../i18n/format';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { schoolName, useTrustSchoolsState } from '../schools';
import { checkFormWithSchool } from '../validate';

const byName = (a: User, b: User) =>
  a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' });

export function UsersPage() {
  const { t } = useTranslation();
  usePageTitle(t('users.title'));
  const me = useUser();
  const [users, setUsers] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const rows = useRowAction();
  const format = useFormat();
  const [managing, setManaging] = useState<User | null>(null);
  // A trust-level admin of a trust of several schools: which school each account is in.
  const schoolsState = useTrustSchoolsState();
  const { schools } = schoolsState;

  useEffect(() => {
    let cancelled = false;
    api.get<{ users: User[] }>('/api/users').then(
      (data) => {
        if (!cancelled) setUsers(data.users.slice().sort(byName));
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  function replace(user: User) {
    setUsers((current) => (current ?? []).map((u) => (u.id === user.id ? user : u)));
  }

  async function setDisabled(user: User, disabled: boolean) {
    await rows.run(user.id, async () => {
      const { user: updated } = await api.patch<{ user: User }>(`/api/users/${user.id}`, { disabled });
      replace(updated);
      return disabled
        ? t('users.disabledDone', { name: updated.displayName })
        : t('users.enabledDone', { name: updated.displayName });
    });
  }

  return (
    <>
      <h1>{t('users.title')}</h1>
      <p className="lead">{t('users.lead')}</p>
      <ErrorAlert error={loadError} />
      <ErrorAlert error={rows.error} />
      <div role="status" className="confirmation">
        {rows.confirmation !== null && <p>{rows.confirmation}</p>}
      </div>
      {users === null ? (
        loadError === null && <p className="muted">{t('users.loading')}</p>
      ) : (
        <DataTable
          label={t('users.title')}
          rows={users}
          rowKey={(u) => u.id}
          rowProps={(u) => ({ 'data-user-id': u.id })}
          columns={[
            { key: 'name', header: t('users.columns.name'), rowHeader: true, cell: (u) => u.displayName },
            {
              key: 'email',
              header: t('login.email'),
              cell: (u) => <span className="address">{u.email}</span>,
            },
            { key: 'role', header: t('users.columns.role'), cell: (u) => t(`enums.role.${u.role}`) },
            ...(schools === null
              ? []
              : [
                  {
                    key: 'school',
                    header: t('schools.column'),
                    cell: (u: User) => schoolName(schools, u.schoolId) ?? t('schools.trustLevel'),
                  },
                ]),
            {
              key: 'status',
              header: t('users.columns.status'),
              cell: (u) => (
                <span className={`badge badge-${u.disabled ? 'neutral' : 'good'}`}>
                  {u.disabled ? t('users.disabled') : t('users.active')}
                </span>
              ),
            },
            {
              key: 'signIn',
              header: t('users.columns.signIn'),
              cell: (u) => (
                <span className="badge-list">
                  <span className={`badge badge-${u.secondFactor ? 'good' : 'neutral'}`}>
                    {u.secondFactor ? t('users.signIn.secondFactor') : t('users.signIn.noSecondFactor')}
                  </span>
                  {u.mustChangePassword && (
                    <span className="badge badge-neutral">{t('users.signIn.temporary')}</span>
                  )}
                  {u.lockedUntil && new Date(u.lockedUntil) > new Date() && (
                    <span className="badge badge-warning">
                      {t('users.signIn.locked', { time: format.shortTime(u.lockedUntil) })}
                    </span>
                  )}
                </span>
              ),
            },
            {
              key: 'actions',
              header: t('common.actions'),
              hideHeader: true,
              cell: (u) =>
                u.id === me.id ? (
                  <span className="muted">{t('users.you')}</span>
                ) : (
                  <span className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-expanded={managing?.id === u.id}
                      onClick={() => setManaging(managing?.id === u.id ? null : u)}
                    >
                      {t('users.manage', { name: u.displayName })}
                    </button>
                    <button
                      type="button"
                      className={u.disabled ? 'button button-small' : 'button button-danger button-small'}
                      onClick={() => void setDisabled(u, !u.disabled)}
                      disabled={rows.busyId === u.id}
                    >
                      {u.disabled
                        ? t('users.enable', { name: u.displayName })
                        : t('users.disable', { name: u.displayName })}
                    </button>
                  </span>
                ),
            },
          ]}
        />
      )}
      {managing !== null && (
        <ManageSignIn
          key={managing.id}
          user={managing}
          schools={schools}
          onClose={() => setManaging(null)}
          onChanged={(change) => {
            const updated = { ...managing, ...change };
            setManaging(updated);
            replace(updated);
          }}
        />
      )}
      <CreateUserForm
        schools={schools}
        schoolsPending={schoolsState.pending}
        schoolsError={schoolsState.error}
        onCreated={(user) => {
          setUsers((current) => [...(current ?? []), user].sort(byName));
          rows.setError(null);
          rows.setConfirmation(t('users.created', { name: user.displayName }));
        }}
      />
      <SignInSettings />
      <SsoSettings />
    </>
  );
}

/** The school select's value for a trust-level account (a school's is its id). */
const trustLevelChoice = 'trust';

/** The options of a school select for an account: every school, then trust-level. */
function accountSchoolOptions(schools: School[], trustLevel: string) {
  return [
    ...schools.map((s) => ({ value: String(s.id), label: s.name })),
    { value: trustLevelChoice, label: trustLevel },
  ];
}

const chosenSchool = (choice: string): number | null => (choice === trustLevelChoice ? null : Number(choice));

function CreateUserForm({
  schools,
  schoolsPending,
  schoolsError,
  onCreated,
}: {
  /** Null: no select (one school, or a school's admin: the server puts the account in their school). */
  schools: School[] | null;
  /** A trust-level admin's schools have not arrived: wait, or the account would be made trust-level. */
  schoolsPending: boolean;
  schoolsError: unknown;
  onCreated: (user: User) => void;
}) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('teacher');
  const [password, setPassword] = useState('');
  const [school, setSchool] = useState('');
  const { busy, error, run } = useSubmit();
  const { t } = useTranslation();
  const passwordProblem = usePasswordProblem(error, 'password');
  const roleOptions = roles.map((r) => ({ value: r, label: t(`enums.role.${r}`) }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = {
        email,
        displayName,
        role,
        password,
        ...(schools !== null && school !== '' && { schoolId: chosenSchool(school) }),
      };
      // Left out, the account would be trust-level: in a trust of several schools that is chosen, never assumed.
      checkFormWithSchool(
        createUserRequestSchema,
        body,
        schools !== null && school === '' ? t('schools.chooseInvalid') : null,
      );
      const { user } = await api.post<{ user: User }>('/api/users', body);
      onCreated(user);
      setEmail('');
      setDisplayName('');
      setRole('teacher');
      setPassword('');
      setSchool('');
    });
  }

  return (
    <section className="panel">
      <h2>{t('users.add.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <TextField
            label={t('login.email')}
            name="email"
            invalid={t('login.emailInvalid')}
            type="email"
            autoComplete="off"
            value={email}
            onChange={setEmail}
            required
          />
          <TextField
            label={t('users.columns.name')}
            name="displayName"
            invalid={t('setup.nameInvalid')}
            autoComplete="off"
            value={displayName}
            onChange={setDisplayName}
            required
          />
          <SelectField
            label={t('users.columns.role')}
            name="role"
            hint={t('users.add.roleHint')}
            value={role}
            onChange={(value) => setRole(value as Role)}
            options={roleOptions}
            required
          />
          {schools !== null && (
            <SelectField
              label={t('schools.column')}
              name="schoolId"
              invalid={t('schools.chooseInvalid')}
              hint={t('schools.userHint')}
              value={school}
              onChange={setSchool}
              options={[
                { value: '', label: t('schools.choose') },
                ...accountSchoolOptions(schools, t('schools.trustLevel')),
              ]}
              required
            />
          )}
          <TextField
            label={t('users.add.password')}
            name="password"
            invalid={passwordProblem}
            type="password"
            autoComplete="new-password"
            hint={t('users.add.passwordHint', { min: limits.passwordMin })}
            value={password}
            onChange={setPassword}
            required
          />
          <ErrorAlert error={error ?? schoolsError} />
          <button type="submit" className="button button-primary" disabled={busy || schoolsPending}>
            {t('users.add.submit')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}

/**
 * An administrator's help with someone's sign-in: a reset link or a new temporary password
 * (shown here once, never again), or removing a lost second factor. Each asks first.
 */
function ManageSignIn({
  user,
  schools,
  onClose,
  onChanged,
}: {
  user: User;
  /** Null: no move (one school, or a school's admin). */
  schools: School[] | null;
  onClose: () => void;
  onChanged: (change: Partial<User>) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const [asking, setAsking] = useState<'link' | 'temporary' | 'secondFactor' | null>(null);
  const [shown, setShown] = useState<{
    link?: string;
    expiresAt?: string;
    temporaryPassword?: string;
  } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  async function confirm() {
    await run(async () => {
      setDone(null);
      if (asking === 'secondFactor') {
        await api.post(`/api/users/${user.id}/second-factor/reset`);
        onChanged({ secondFactor: false });
        setDone(t('users.reset.secondFactorDone', { name: user.displayName }));
      } else if (asking !== null) {
        const answer = await api.post<{ link?: string; expiresAt?: string; temporaryPassword?: string }>(
          `/api/users/${user.id}/password-reset`,
          { mode: asking },
        );
        setShown(answer);
        onChanged({ lockedUntil: null, ...(asking === 'temporary' && { mustChangePassword: true }) });
      }
      setAsking(null);
    });
  }

  return (
    <section className="panel panel-highlight" aria-labelledby="manage-sign-in">
      <h2 id="manage-sign-in" ref={heading} tabIndex={-1}>
        {t('users.reset.title', { name: user.displayName })}
      </h2>
      <ErrorAlert error={error} secondFactorGuards="accounts" />
      <div role="status" className="confirmation">
        {done !== null && <p>{done}</p>}
      </div>
      {shown !== null ? (
        <div className="one-time">
          {shown.link !== undefined && (
            <>
              <p>{t('users.reset.linkIntro', { name: user.displayName })}</p>
              <p>
                <code className="one-time-secret" data-testid="reset-link">
                  {new URL(shown.link, window.location.origin).toString()}
                </code>
              </p>
              {shown.expiresAt !== undefined && (
                <p className="hint">
                  {t('users.reset.linkExpires', { time: format.dateTime(shown.expiresAt) })}
                </p>
              )}
            </>
          )}
          {shown.temporaryPassword !== undefined && (
            <>
              <p>{t('users.reset.temporaryIntro', { name: user.displayName })}</p>
              <p>
                <code className="one-time-secret" data-testid="temporary-password">
                  {shown.temporaryPassword}
                </code>
              </p>
            </>
          )}
          <p className="hint">{t('users.reset.once')}</p>
          <button type="button" className="button button-primary" onClick={() => setShown(null)}>
            {t('users.reset.given')}
          </button>
        </div>
      ) : asking !== null ? (
        <div>
          <p>
            {asking === 'link'
              ? t('users.reset.confirmLink', { name: user.displayName })
              : asking === 'temporary'
                ? t('users.reset.confirmTemporary', { name: user.displayName })
                : t('users.reset.confirmSecondFactor', { name: user.displayName })}
          </p>
          <p className="button-row">
            <button
              type="button"
              className={asking === 'secondFactor' ? 'button button-danger' : 'button button-primary'}
              disabled={busy}
              onClick={() => void confirm()}
            >
              {t('users.reset.yes')}
            </button>
            <button type="button" className="button" onClick={() => setAsking(null)}>
              {t('common.cancel')}
            </button>
          </p>
        </div>
      ) : (
        <>
          <p className="button-row">
            <button type="button" className="button" onClick={() => setAsking('link')}>
              {t('users.reset.link')}
            </button>
            <button type="button" className="button" onClick={() => setAsking('temporary')}>
              {t('users.reset.temporary')}
            </button>
            {user.secondFactor && (
              <button
                type="button"
                className="button button-danger"
                onClick={() => setAsking('secondFactor')}
              >
                {t('users.reset.secondFactor')}
              </button>
            )}
          </p>
          {schools !== null && <MoveSchool user={user} schools={schools} onChanged={onChanged} />}
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.close')}
          </button>
        </>
      )}
    </section>
  );
}

/** A trust-level admin moves an account to another school, or makes it trust-level. */
function MoveSchool({
  user,
  schools,
  onChanged,
}: {
  user: User;
  schools: School[];
  onChanged: (change: Partial<User>) => void;
}) {
  const { t } = useTranslation();
  const current =
    user.schoolId === null || user.schoolId === undefined ? trustLevelChoice : String(user.schoolId);
  const [choice, setChoice] = useState(current);
  const [moved, setMoved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      setMoved(null);
      const { user: updated } = await api.patch<{ user: User }>(`/api/users/${user.id}`, {
        schoolId: chosenSchool(choice),
      });
      onChanged({ schoolId: updated.schoolId ?? null });
      setMoved(
        t('schools.move.moved', {
          name: updated.displayName,
          school: schoolName(schools, updated.schoolId) ?? t('schools.trustLevel'),
        }),
      );
    });
  }

  return (
    <FormProblems error={error}>
      <form onSubmit={submit} noValidate className="inline-form">
        <SelectField
          label={t('schools.move.title')}
          name="schoolId"
          hint={t('schools.move.hint')}
          value={choice}
          onChange={setChoice}
          options={accountSchoolOptions(schools, t('schools.trustLevel'))}
        />
        <button type="submit" className="button" disabled={busy || choice === current}>
          {t('schools.move.submit')}
        </button>
      </form>
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {moved !== null && <p>{moved}</p>}
      </div>
    </FormProblems>
  );
}

/** The school's sign-in rules: whether every account needs a second factor. */
function SignInSettings() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<IdentitySettings | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useSubmit();

  useEffect(() => {
    let cancelled = false;
    api.get<IdentitySettings>('/api/identity/settings').then(
      (s) => {
        if (!cancelled) setSettings(s);
      },
      (e: unknown) => {
        if (!cancelled) setLoadError(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  async function change(secondFactorForEveryone: boolean) {
    const before = settings;
    setSaved(false);
    // The box shows the choice at once; a refusal puts it back as the server has it.
    setSettings((s) => (s === null ? s : { ...s, secondFactorForEveryone }));
    await run(async () => {
      try {
        setSettings(await api.patch<IdentitySettings>('/api/identity/settings', { secondFactorForEveryone }));
        setSaved(true);
      } catch (err) {
        setSettings(before);
        throw err;
      }
    });
  }

  return (
    <section className="panel" aria-labelledby="sign-in-settings">
      <h2 id="sign-in-settings">{t('users.settings.title')}</h2>
      <TrustWideNote />
      <ErrorAlert error={loadError} />
      {settings !== null && (
        <TrustWide>
          <div className="field field-checkbox">
            <label>
              <input
                type="checkbox"
                checked={settings.secondFactorForEveryone}
                disabled={busy}
                onChange={(e) => void change(e.target.checked)}
              />{' '}
              {t('users.settings.everyone')}
            </label>
          </div>
          <p className="hint">{t('users.settings.everyoneHint')}</p>
        </TrustWide>
      )}
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {saved && <p>{t('common.saved')}</p>}
      </div>
    </section>
  );
}
