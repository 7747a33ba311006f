/** Exports: every job with its state, picture, size and duration; download, cancel or remove. */
import { ErrorBox, Empty, Loading } from '../components/states.js';
import { ExportList } from '../exports/export-list.js';
import { reloadExports, useExports } from '../exports/exports-store.js';

export function ExportsPage() {
  const { jobs, runningSinceMs, goneFromServer, loading, error, connected } = useExports();
  return (
    <main class="page">
      <h1>Exports</h1>
      {!connected && !loading && <p class="muted">Live progress is reconnecting; the list may lag a little.</p>}
      {error && <ErrorBox error={error} onRetry={() => void reloadExports()} />}
      {loading && <Loading what="exports" />}
      {!loading && !error && jobs.length === 0 && (
        <Empty>
          <p>No exports yet. Open a stream, select a range on its timeline and choose Export.</p>
        </Empty>
      )}
      {jobs.length > 0 && (
        <ExportList jobs={jobs} runningSinceMs={runningSinceMs} goneFromServer={goneFromServer} thumbnails />
      )}
    </main>
  );
}
