/** Admin: users (config-file ones read-only), add one, change a role or password, delete. */
import { useState } from 'preact/hooks';
import { adminApi, type UserView } from '../api/admin.js';
import type { Role } from '../api/types.js';
import { FormErrorLine, TextField, useSubmit } from '../components/form.js';
import { ListStates, fieldMessageOf } from '../components/states.js';
import { ROLES, ROLE_HINTS, streamsOfText, streamsText } from './access-form.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { useLoad } from './use-load.js';

function NewUserForm({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [streams, setStreams] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await adminApi.createUser({ name: name.trim(), role, password, streams: streamsOfText(streams) });
    setName('');
    setPassword('');
    setStreams('');
    onCreated();
  }, fieldMessageOf);

  return (
    <form class="card admin-form new-user" onSubmit={onSubmit}>
      <h3>Add a user</h3>
      <div class="grid-2">
        <TextField label="Name" name="new-user-name" required autocomplete="off" value={name} onValue={setName} />
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
        <TextField
          label="Password"
          name="new-user-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={password}
          onValue={setPassword}
        />
        <TextField
          label="Streams"
          name="new-user-streams"
          placeholder="empty: all streams"
          value={streams}
          onValue={setStreams}
        />
      </div>
      <FormErrorLine message={error} />
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
      setError(fieldMessageOf(err));
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
        <FormErrorLine message={error} />
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
      <ListStates
        items={users.data}
        error={users.error}
        what="users"
        onRetry={users.reload}
        empty={<p>No users besides the config file's admin. Add one below.</p>}
      >
        {(list) => (
          <ul class="admin-list">
            {list.map((u) => (
              <UserRow key={u.name} user={u} onChanged={users.reload} onDelete={() => setDeleting(u)} />
            ))}
          </ul>
        )}
      </ListStates>
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
