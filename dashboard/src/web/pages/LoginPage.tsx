import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { loginRequestSchema, type User } from '@harbour/shared';
import { api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

export function LoginPage({ sessionEnded }: { sessionEnded: boolean }) {
  usePageTitle('Sign in');
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, password };
      checkForm(loginRequestSchema, body);
      const { user } = await api.post<{ user: User }>('/api/auth/login', body);
      signedIn(user);
      void navigate('/rooms', { replace: true });
    });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="brand brand-large">Harbour</p>
        <h1>Sign in to Harbour</h1>
        {sessionEnded && <p className="notice">You have been signed out. Sign in again to carry on.</p>}
        <form onSubmit={submit} noValidate>
          <TextField
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={setEmail}
            required
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            required
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            Sign in
          </button>
        </form>
        <p className="hint">Forgotten your password? Ask your school&rsquo;s Harbour administrator.</p>
      </div>
    </main>
  );
}
