/** Admin: every stream's source and state; add, edit, delete (optionally with its archive). */
import { useRef, useState } from 'preact/hooks';
import { adminApi, type StreamSettingsView } from '../api/admin.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { StatusBadge, formatDepth } from '../components/stream-status.js';
import { hrefs } from '../router.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { StreamDialog } from './stream-dialog.js';
import { maskUrlPassword } from './stream-form-model.js';
import { useLoad } from './use-load.js';

type Editing = { kind: 'none' } | { kind: 'add' } | { kind: 'edit'; stream: StreamSettingsView };

function DeleteStreamDialog({ stream, onDone }: { stream: StreamSettingsView; onDone(deleted: boolean): void }) {
  const [purge, setPurge] = useState(false);
  const deleted = useRef(false);
  return (
    <ConfirmDialog
      title={`Delete ${stream.title || stream.name}?`}
      confirmLabel={purge ? 'Delete stream and recordings' : 'Delete stream'}
      onConfirm={async () => {
        await adminApi.deleteStream(stream.name, purge);
        deleted.current = true;
      }}
      onClose={() => onDone(deleted.current)}
    >
      <p>Recording stops and the stream leaves every list. Its exports stay.</p>
      <label class="inline">
        <input type="checkbox" name="purge" checked={purge} onChange={(e) => setPurge(e.currentTarget.checked)} />
        Also delete its recordings (purge the archive; this cannot be undone)
      </label>
      {!purge && <p class="muted">Without this, the recordings stay on disk until retention removes them.</p>}
    </ConfirmDialog>
  );
}

function StreamRow(props: { stream: StreamSettingsView; onEdit(): void; onDelete(): void }) {
  const { stream } = props;
  return (
    <li class="admin-row card" data-admin-stream={stream.name}>
      <div class="admin-row-main">
        <div class="admin-row-title">
          <a href={hrefs.stream(stream.name)}>
            <strong>{stream.title || stream.name}</strong>
          </a>
          <code class="muted">{stream.name}</code>
        </div>
        <StatusBadge stream={stream} />
        <p class="muted admin-row-meta">
          <span class="url">{maskUrlPassword(stream.url)}</span>
          {stream.substream_url && <span> · sub: {maskUrlPassword(stream.substream_url)}</span>}
          <span> · archive {formatDepth(stream.archive.depth)}</span>
        </p>
      </div>
      <div class="admin-row-actions">
        <button type="button" onClick={props.onEdit}>
          Edit
        </button>
        <button type="button" class="danger-outline" onClick={props.onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

export function StreamsAdminPage() {
  const streams = useLoad(() => adminApi.streams());
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [deleting, setDeleting] = useState<StreamSettingsView | undefined>();
  const list = streams.data && [...streams.data].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <main class="page admin-page">
      <div class="page-head">
        <h1>Manage streams</h1>
        <button type="button" class="primary" onClick={() => setEditing({ kind: 'add' })}>
          Add stream
        </button>
      </div>
      {streams.error !== undefined && <ErrorBox error={streams.error} onRetry={streams.reload} />}
      {list === undefined && streams.error === undefined && <Loading what="streams" />}
      {list?.length === 0 && (
        <Empty>
          <p>No streams yet. Add a camera with its RTSP URL (or demo://clock to try Vigil out).</p>
        </Empty>
      )}
      {list && list.length > 0 && (
        <ul class="admin-list">
          {list.map((s) => (
            <StreamRow
              key={s.name}
              stream={s}
              onEdit={() => setEditing({ kind: 'edit', stream: s })}
              onDelete={() => setDeleting(s)}
            />
          ))}
        </ul>
      )}
      {editing.kind !== 'none' && (
        <StreamDialog
          {...(editing.kind === 'edit' ? { stream: editing.stream } : {})}
          onSaved={streams.reload}
          onClose={() => setEditing({ kind: 'none' })}
        />
      )}
      {deleting && (
        <DeleteStreamDialog
          stream={deleting}
          onDone={(deleted) => {
            setDeleting(undefined);
            if (deleted) streams.reload();
          }}
        />
      )}
    </main>
  );
}
