import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createUserRequestSchema, limits, roles, type Role, type User } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { SsoSettings } from '../components/SsoSettings';
import { FormProblems } from '../components/formProblems';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

const byName = (a: User, b: User) =>
  a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' });

export function UsersPage() {
  const { t } = useTranslation();
  usePageTitle(t('users.title'));
  const me = useUser();
  const [users, setUsers] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const rows = useRowAction();

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
              key: 'actions',
              header: t('common.actions'),
              hideHeader: true,
              cell: (u) =>
                u.id === me.id ? (
                  <span className="muted">{t('users.you')}</span>
                ) : (
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
                ),
            },
          ]}
        />
      )}
      <CreateUserForm
        onCreated={(user) => {
          setUsers((current) => [...(current ?? []), user].sort(byName));
          rows.setError(null);
          rows.setConfirmation(t('users.created', { name: user.displayName }));
        }}
      />
      <SsoSettings />
    </>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('teacher');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const { t } = useTranslation();
  const roleOptions = roles.map((r) => ({ value: r, label: t(`enums.role.${r}`) }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, displayName, role, password };
      checkForm(createUserRequestSchema, body);
      const { user } = await api.post<{ user: User }>('/api/users', body);
      onCreated(user);
      setEmail('');
      setDisplayName('');
      setRole('teacher');
      setPassword('');
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
          <TextField
            label={t('users.add.password')}
            name="password"
            invalid={t('setup.passwordInvalid', { min: limits.passwordMin })}
            type="password"
            autoComplete="new-password"
            hint={t('users.add.passwordHint', { min: limits.passwordMin })}
            value={password}
            onChange={setPassword}
            required
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('users.add.submit')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}
