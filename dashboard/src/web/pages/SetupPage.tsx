import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { limits, setupRequestSchema, type User } from '@harbour/shared';
import { api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

/** First run: create the first administrator, who is then signed in. */
export function SetupPage() {
  usePageTitle('Set up');
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, displayName, password };
      checkForm(setupRequestSchema, body);
      const { user } = await api.post<{ user: User }>('/api/setup', body);
      signedIn(user);
      void navigate('/rooms', { replace: true });
    });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="brand brand-large">Harbour</p>
        <h1>Set up Harbour</h1>
        <p>
          Create the first administrator account. You can add accounts for other staff once you are signed in.
        </p>
        <form onSubmit={submit} noValidate>
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={setEmail}
            required
          />
          <TextField
            label="Your name"
            autoComplete="name"
            value={displayName}
            onChange={setDisplayName}
            required
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            hint={`At least ${limits.passwordMin} characters. A short sentence is easy to remember.`}
            value={password}
            onChange={setPassword}
            required
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            Create administrator
          </button>
        </form>
      </div>
    </main>
  );
}
