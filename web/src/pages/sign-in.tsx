/** Sign-in: user and password to `POST /api/v1/session`; the cookie does the rest. */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import type { Session } from '../api/types.js';
import { FormErrorLine, TextField, useSubmit } from '../components/form.js';
import { messageOf } from '../components/states.js';

function signInMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong user name or password.';
    if (error.status === 429) return 'Too many failed attempts; wait a few minutes before trying again.';
    if (error.status === 404) return 'This server has no sign-in route; update Vigil.';
    if (error.offline) return 'Vigil cannot be reached; check that the server is running.';
  }
  return messageOf(error);
}

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useSubmit(
    async () => onSignedIn(await api.signIn(user.trim(), password)),
    signInMessage,
  );

  return (
    <main class="signin">
      <form class="card signin-form" onSubmit={onSubmit}>
        <h1>Vigil</h1>
        <TextField label="User" name="user" autocomplete="username" required value={user} onValue={setUser} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <FormErrorLine message={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
