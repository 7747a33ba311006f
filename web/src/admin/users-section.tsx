/** Admin: users (config-file ones read-only), add one, change a role or password, delete. */
import { useState } from 'preact/hooks';
import { adminApi, type UserView } from '../api/admin.js';
import { ApiError } from '../api/client.js';
import type { Role } from '../api/types.js';
import { Empty, ErrorBox, Loading, messageOf } from '../components/states.js';
import { ROLES, ROLE_HINTS, streamsOfText, streamsText } from './access-form.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { useLoad } from './use-load.js';

function errorText(err: unknown): string {
  return err instanceof ApiError && err.field ? `${err.field}: ${messageOf(err)}` : messageOf(err);
}

function NewUserForm({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [streams, setStreams] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await adminApi.createUser({ name: name.trim(), role, password, streams: streamsOfText(streams) });
      setName('');
      setPassword('');
      setStreams('');
      onCreated();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card admin-form new-user" onSubmit={submit}>
      <h3>Add a user</h3>
      <div class="grid-2">
        <label>
          Name
          <input
            name="new-user-name"
            required
            autocomplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select name="new-user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_HINTS[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password
          <input
            name="new-user-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={8}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          Streams
          <input
            name="new-user-streams"
            placeholder="empty: all streams"
            value={streams}
            onInput={(e) => setStreams(e.currentTarget.value)}
          />
        </label>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add user'}
        </button>
      </div>
    </form>
  );
}

function UserRow({ user, onChanged, onDelete }: { user: UserView; onChanged(): void; onDelete(): void }) {
  const [error, setError] = useState<string | undefined>();
  const [password, setPassword] = useState<string | undefined>();
  const readOnly = user.source === 'config';
  const change = async (changes: Parameters<typeof adminApi.changeUser>[1]) => {
    setError(undefined);
    try {
      await adminApi.changeUser(user.name, changes);
      onChanged();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };
  return (
    <li class="admin-row card" data-user={user.name}>
      <div class="admin-row-main">
        <div class="admin-row-title">
          <strong>{user.name}</strong>
          {readOnly && (
            <span class="badge" title="Change it in the config file">
              config file
            </span>
          )}
        </div>
        <p class="muted admin-row-meta">{streamsText(user.streams)}</p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {password !== undefined && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void change({ password }).then((ok) => ok && setPassword(undefined));
            }}
          >
            <input
              type="password"
              name="set-password"
              aria-label={`New password for ${user.name}`}
              autocomplete="new-password"
              minLength={8}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            <button type="submit">Set</button>
            <button type="button" class="link" onClick={() => setPassword(undefined)}>
              Cancel
            </button>
          </form>
        )}
      </div>
      <div class="admin-row-actions">
        <select
          aria-label={`Role of ${user.name}`}
          value={user.role}
          disabled={readOnly}
          onChange={(e) => void change({ role: e.currentTarget.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {!readOnly && (
          <>
            <button type="button" onClick={() => setPassword('')}>
              Password…
            </button>
            <button type="button" class="danger-outline" onClick={onDelete}>
              Delete
            </button>
          </>
        )}
      </div>
    </li>
  );
}

export function UsersSection() {
  const users = useLoad(() => adminApi.users());
  const [deleting, setDeleting] = useState<UserView | undefined>();
  return (
    <section class="admin-section">
      <h2>Users</h2>
      {users.error !== undefined && <ErrorBox error={users.error} onRetry={users.reload} />}
      {users.data === undefined && users.error === undefined && <Loading what="users" />}
      {users.data?.length === 0 && (
        <Empty>
          <p>No users besides the config file's admin. Add one below.</p>
        </Empty>
      )}
      {users.data && users.data.length > 0 && (
        <ul class="admin-list">
          {users.data.map((u) => (
            <UserRow key={u.name} user={u} onChanged={users.reload} onDelete={() => setDeleting(u)} />
          ))}
        </ul>
      )}
      <NewUserForm onCreated={users.reload} />
      {deleting && (
        <ConfirmDialog
          title={`Delete user ${deleting.name}?`}
          confirmLabel="Delete user"
          onConfirm={async () => {
            await adminApi.deleteUser(deleting.name);
            users.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>They are signed out at once. API keys they created keep working until revoked.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
