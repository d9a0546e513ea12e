import { useEffect, useState, type FormEvent } from 'react';
import { createUserRequestSchema, limits, roleLabels, roles, type Role, type User } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

const byName = (a: User, b: User) =>
  a.displayName.localeCompare(b.displayName, 'en-GB', { sensitivity: 'base' });
const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

export function UsersPage() {
  usePageTitle('Staff accounts');
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
        ? `${updated.displayName}'s account is disabled and has been signed out.`
        : `${updated.displayName}'s account is active again.`;
    });
  }

  return (
    <>
      <h1>Staff accounts</h1>
      <p className="lead">
        Everyone who can sign in to Harbour. Disabling an account signs that person out everywhere at once.
      </p>
      <ErrorAlert error={loadError} />
      <ErrorAlert error={rows.error} />
      <div role="status" className="confirmation">
        {rows.confirmation !== null && <p>{rows.confirmation}</p>}
      </div>
      {users === null ? (
        loadError === null && <p className="muted">Loading accounts…</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-user-id={user.id}>
                  <th scope="row">{user.displayName}</th>
                  <td>{user.email}</td>
                  <td>{roleLabels[user.role]}</td>
                  <td>
                    <span className={`badge badge-${user.disabled ? 'neutral' : 'good'}`}>
                      {user.disabled ? 'Disabled' : 'Active'}
                    </span>
                  </td>
                  <td>
                    {user.id === me.id ? (
                      <span className="muted">This is you</span>
                    ) : (
                      <button
                        type="button"
                        className={
                          user.disabled ? 'button button-small' : 'button button-danger button-small'
                        }
                        onClick={() => void setDisabled(user, !user.disabled)}
                        disabled={rows.busyId === user.id}
                      >
                        {user.disabled ? `Enable ${user.displayName}` : `Disable ${user.displayName}`}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateUserForm
        onCreated={(user) => {
          setUsers((current) => [...(current ?? []), user].sort(byName));
          rows.setError(null);
          rows.setConfirmation(
            `Account created for ${user.displayName}. Give them their email address and temporary password.`,
          );
        }}
      />
    </>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('teacher');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

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
      <h2>Add a staff account</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="Email" type="email" autoComplete="off" value={email} onChange={setEmail} required />
        <TextField label="Name" autoComplete="off" value={displayName} onChange={setDisplayName} required />
        <SelectField
          label="Role"
          hint="Teachers watch rooms. Designated safeguarding leads handle concerns. Technicians look after rooms and computers. Administrators also manage accounts."
          value={role}
          onChange={(value) => setRole(value as Role)}
          options={roleOptions}
          required
        />
        <TextField
          label="Temporary password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${limits.passwordMin} characters. Give it to them in person, not by email.`}
          value={password}
          onChange={setPassword}
          required
        />
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Create account
        </button>
      </form>
    </section>
  );
}
