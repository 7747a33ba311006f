/**
 * Admin: per stream, how far back the archive goes, what it takes on disk,
 * what locks keep from retention and how much of its disk limit is used.
 */
import { useState } from 'preact/hooks';
import { adminApi, type DvrUsage } from '../api/admin.js';
import type { StreamView } from '../api/types.js';
import { ErrorBox, ListStates, Loading } from '../components/states.js';
import { formatDepth } from '../components/stream-status.js';
import { formatBytes } from '../exports/progress.js';
import { hrefs } from '../router.js';
import { useLoad } from './use-load.js';

/** Above this share of its limit a stream's bar turns to a warning: retention is about to delete. */
const QUOTA_WARN = 0.9;

function formatKeep(seconds: number | null): string {
  if (seconds === null) return 'until the disk limit';
  return seconds === 0 ? 'nothing kept' : formatDepth(seconds);
}

export function QuotaBar({ usage }: { usage: DvrUsage }) {
  if (usage.disk_limit === null || usage.quota_used === null) {
    return <p class="muted quota-none">No disk limit: {formatBytes(usage.size_bytes)} used</p>;
  }
  const percent = Math.round(usage.quota_used * 1000) / 10;
  const lockedShare = usage.disk_limit > 0 ? Math.min(1, usage.locked_bytes / usage.disk_limit) : 0;
  return (
    <div class="quota">
      <div
        class={usage.quota_used >= QUOTA_WARN ? 'quota-bar quota-high' : 'quota-bar'}
        role="meter"
        aria-label="Disk limit used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <span class="quota-used" style={{ width: `${Math.min(100, percent)}%` }} />
        <span class="quota-locked" style={{ width: `${lockedShare * 100}%` }} title="kept by locks" />
      </div>
      <span class="quota-text" data-testid="quota-text">
        {percent}% of {formatBytes(usage.disk_limit)}
      </span>
    </div>
  );
}

function UsageCard({ stream, round }: { stream: StreamView; round: number }) {
  const usage = useLoad(() => adminApi.dvrUsage(stream.name), [stream.name, round]);
  const u = usage.data;
  return (
    <li class="card usage" data-usage={stream.name}>
      <h2>
        <a href={hrefs.stream(stream.name)}>{stream.title || stream.name}</a>
      </h2>
      {usage.error !== undefined && <ErrorBox error={usage.error} onRetry={usage.reload} />}
      {u === undefined && usage.error === undefined && <Loading what="usage" />}
      {u && (
        <>
          <dl class="usage-facts">
            <div>
              <dt>Archive depth</dt>
              <dd>{formatDepth(u.depth)}</dd>
            </div>
            <div>
              <dt>On disk</dt>
              <dd data-testid="size-on-disk" data-bytes={u.size_bytes}>
                {formatBytes(u.size_bytes)}
              </dd>
            </div>
            <div>
              <dt>Locked</dt>
              <dd>
                {formatBytes(u.locked_bytes)} <span class="muted">({u.locks} locks)</span>
              </dd>
            </div>
            <div>
              <dt>Kept</dt>
              <dd>{formatKeep(u.expiration)}</dd>
            </div>
          </dl>
          <QuotaBar usage={u} />
        </>
      )}
    </li>
  );
}

export function RetentionPage() {
  const streams = useLoad(() => adminApi.streams());
  const [round, setRound] = useState(0);
  const list = streams.data && [...streams.data].sort((a, b) => a.name.localeCompare(b.name));
  const refresh = () => {
    streams.reload();
    setRound((r) => r + 1);
  };
  return (
    <main class="page admin-page">
      <div class="page-head">
        <h1>Retention and quotas</h1>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Retention deletes the oldest recordings when a stream is past its “kept” time or its disk limit; locked ranges
        stay. Change the limits under <a href={hrefs.adminStreams()}>Manage streams</a>.
      </p>
      <ListStates
        items={list}
        error={streams.error}
        what="streams"
        onRetry={refresh}
        empty={<p>No streams, so nothing is recorded yet.</p>}
      >
        {(items) => (
          <ul class="usage-list">
            {items.map((s) => (
              <UsageCard key={s.name} stream={s} round={round} />
            ))}
          </ul>
        )}
      </ListStates>
    </main>
  );
}
