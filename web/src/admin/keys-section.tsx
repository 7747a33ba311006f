/**
 * Admin: API keys. A new key is shown once, with a copy button and a warning,
 * because the server keeps only its hash; the list shows ids and settings.
 */
import { useRef, useState } from 'preact/hooks';
import { adminApi, type ApiKeyView } from '../api/admin.js';
import type { Role } from '../api/types.js';
import { FormErrorLine, TextField, useSubmit } from '../components/form.js';
import { ListStates, fieldMessageOf } from '../components/states.js';
import { ROLES, ROLE_HINTS, streamsOfText, streamsText } from './access-form.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { useLoad } from './use-load.js';

const DAY_S = 86_400;

function dateOf(unixS: number): string {
  return new Date(unixS * 1000).toLocaleString();
}

function keyState(key: ApiKeyView, nowS: number): string {
  if (key.revoked_at !== null) return `revoked ${dateOf(key.revoked_at)}`;
  if (key.expires_at !== null) return key.expires_at <= nowS ? 'expired' : `until ${dateOf(key.expires_at)}`;
  return 'no expiry';
}

/** Clipboard API where the page is secure; a selected field and execCommand elsewhere (plain-HTTP LAN servers). */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    return document.execCommand('copy');
  }
}

function NewKeyShown({ created, onDone }: { created: { id: string; key: string }; onDone(): void }) {
  const [copied, setCopied] = useState<boolean | undefined>();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div class="card new-key" role="status" data-testid="new-key">
      <p class="new-key-warning">
        <strong>Copy this key now.</strong> Vigil keeps only a hash of it and will not show it again; if it is lost,
        revoke key {created.id} and create another.
      </p>
      <div class="inline-form">
        <input
          ref={input}
          class="key-value"
          readOnly
          value={created.key}
          aria-label="The new API key"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={() => void copyText(created.key, input.current).then(setCopied)}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          I have saved it
        </button>
      </div>
      {copied === false && <p class="form-error">Copying failed; select the key and copy it by hand.</p>}
    </div>
  );
}

function NewKeyForm({ onCreated }: { onCreated(created: { id: string; key: string }): void }) {
  const [label, setLabel] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [streams, setStreams] = useState('');
  const [ips, setIps] = useState('');
  const [days, setDays] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    const ipList = streamsOfText(ips);
    const d = Number(days);
    const created = await adminApi.createKey({
      role,
      streams: streamsOfText(streams),
      ...(label.trim() ? { label: label.trim() } : {}),
      ...(ipList ? { ips: ipList } : {}),
      ...(days.trim() && Number.isFinite(d) ? { expires_in: Math.max(1, Math.round(d * DAY_S)) } : {}),
    });
    setLabel('');
    onCreated(created);
  }, fieldMessageOf);

  return (
    <form class="card admin-form new-key-form" onSubmit={onSubmit}>
      <h3>Create a key</h3>
      <div class="grid-2">
        <TextField label="Label" name="key-label" placeholder="what uses it" value={label} onValue={setLabel} />
        <label>
          Role
          <select name="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_HINTS[r]}
              </option>
            ))}
          </select>
        </label>
        <TextField
          label="Streams"
          name="key-streams"
          placeholder="empty: all streams"
          value={streams}
          onValue={setStreams}
        />
        <TextField
          label="Allowed IPs"
          name="key-ips"
          placeholder="empty: anywhere; 10.0.0.0/8, …"
          value={ips}
          onValue={setIps}
        />
        <TextField
          label="Expires in (days)"
          name="key-days"
          type="number"
          min="0"
          step="any"
          placeholder="never"
          value={days}
          onValue={setDays}
        />
      </div>
      <FormErrorLine message={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

export function KeysSection() {
  const keys = useLoad(() => adminApi.keys());
  const [created, setCreated] = useState<{ id: string; key: string } | undefined>();
  const [revoking, setRevoking] = useState<ApiKeyView | undefined>();
  const nowS = Date.now() / 1000;
  return (
    <section class="admin-section">
      <h2>API keys</h2>
      {created && <NewKeyShown created={created} onDone={() => setCreated(undefined)} />}
      <ListStates
        items={keys.data}
        error={keys.error}
        what="keys"
        onRetry={keys.reload}
        empty={<p>No API keys. Scripts and other systems sign in with one; create it below.</p>}
      >
        {(list) => (
          <ul class="admin-list">
            {list.map((k) => (
              <li
                key={k.id}
                class={k.revoked_at === null ? 'admin-row card' : 'admin-row card revoked'}
                data-key-id={k.id}
              >
                <div class="admin-row-main">
                  <div class="admin-row-title">
                    <strong>{k.label || 'no label'}</strong>
                    <code class="muted">{k.id}</code>
                    <span class="badge">{k.role}</span>
                  </div>
                  <p class="muted admin-row-meta">
                    {streamsText(k.streams)} · {k.ips.length ? k.ips.join(', ') : 'any IP'} · by {k.created_by},{' '}
                    {dateOf(k.created_at)} · {keyState(k, nowS)}
                  </p>
                </div>
                {k.revoked_at === null && (
                  <div class="admin-row-actions">
                    <button type="button" class="danger-outline" onClick={() => setRevoking(k)}>
                      Revoke
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </ListStates>
      <NewKeyForm
        onCreated={(c) => {
          setCreated(c);
          keys.reload();
        }}
      />
      {revoking && (
        <ConfirmDialog
          title={`Revoke key ${revoking.label || revoking.id}?`}
          confirmLabel="Revoke key"
          onConfirm={async () => {
            await adminApi.revokeKey(revoking.id);
            keys.reload();
          }}
          onClose={() => setRevoking(undefined)}
        >
          <p>The next request with it fails. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
