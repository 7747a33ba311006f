/**
 * Export jobs with a live progress bar (step, percent, ETA), cancel while
 * waiting or running, download when done, and remove. Used by the stream
 * page's panel (that stream's jobs) and the exports page (all of them).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, mediaUrls } from '../api/client.js';
import type { ExportJob } from '../api/types.js';
import { messageOf } from '../components/states.js';
import { removeExportLocally, upsertExport } from './exports-store.js';
import { estimateEtaSeconds, formatBytes, formatDuration } from './progress.js';

const STATE_LABELS: Record<ExportJob['state'], string> = {
  in_queue: 'Waiting',
  exporting: 'Exporting',
  success: 'Done',
  error: 'Failed',
  canceled: 'Canceled',
};

function jobDurationS(job: ExportJob): number {
  return (Date.parse(job.to) - Date.parse(job.from)) / 1000;
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

function Progress({ job, sinceMs, now }: { job: ExportJob; sinceMs: number | undefined; now: number }) {
  const percent = job.state === 'success' ? 100 : Math.max(0, Math.min(100, job.percent));
  const eta =
    job.state === 'exporting' && sinceMs !== undefined ? estimateEtaSeconds(sinceMs, now, percent) : undefined;
  return (
    <div class="progress-row">
      <progress max={100} value={percent} aria-label={`${job.file_name}: ${Math.floor(percent)} %`} />
      <span class="percent" data-percent={Math.floor(percent)}>
        {Math.floor(percent)} %
      </span>
      {job.step && job.state === 'exporting' && <span class="muted">{job.step}</span>}
      {eta !== undefined && <span class="muted">ETA {formatDuration(eta)}</span>}
    </div>
  );
}

interface JobRowProps {
  job: ExportJob;
  sinceMs: number | undefined;
  now: number;
  thumbnails: boolean;
  /** Finished and dropped from the server's list: nothing left to fetch or delete there. */
  gone: boolean;
}

function JobRow({ job, sinceMs, now, thumbnails, gone }: JobRowProps) {
  const [error, setError] = useState<string | undefined>();
  const running = job.state === 'in_queue' || job.state === 'exporting';
  async function remove() {
    setError(undefined);
    if (gone) return removeExportLocally(job.id);
    try {
      const answer = await api.deleteExport(job.id);
      if (running && answer) upsertExport(answer);
      else removeExportLocally(job.id);
    } catch (err) {
      setError(messageOf(err));
    }
  }
  return (
    <li class={`job job-${job.state}`} data-job={job.id} data-state={job.state}>
      {thumbnails && (
        <img
          class="job-thumb"
          src={mediaUrls.exportThumbnail(job.id)}
          alt=""
          loading="lazy"
          onError={(e) => (e.currentTarget.style.visibility = 'hidden')}
        />
      )}
      <div class="job-main">
        <div class="job-title">
          <strong title={job.file_path}>{job.file_name}</strong>
          <span class={`badge badge-${job.state}`}>{STATE_LABELS[job.state]}</span>
        </div>
        <div class="muted job-meta">
          {job.stream} · {formatDuration(jobDurationS(job))} · {job.container.toUpperCase()}
          {job.transcode ? ' · transcode' : ' · copy'}
          {job.bytes !== null && ` · ${formatBytes(job.bytes)}`}
        </div>
        {(running || job.state === 'success') && <Progress job={job} sinceMs={sinceMs} now={now} />}
        {job.error && (
          <p class="form-error">
            {job.error.message} <span class="muted">({job.error.code})</span>
          </p>
        )}
        {gone && job.state === 'success' && (
          <p class="muted">
            The server took this job off its list when it finished (exports.cancel_task_with_states), so it cannot be
            downloaded here; the file is at {job.file_path}.
          </p>
        )}
        {error && <p class="form-error">{error}</p>}
      </div>
      <div class="job-actions">
        {job.state === 'success' && !gone && (
          <a class="button primary" href={mediaUrls.exportFile(job.id)} download={job.file_name}>
            Download
          </a>
        )}
        <button type="button" onClick={() => void remove()}>
          {running ? 'Cancel' : 'Remove'}
        </button>
      </div>
    </li>
  );
}

export function ExportList({
  jobs,
  runningSinceMs,
  goneFromServer,
  thumbnails = false,
}: {
  jobs: ExportJob[];
  runningSinceMs: ReadonlyMap<string, number>;
  goneFromServer: ReadonlySet<string>;
  thumbnails?: boolean;
}) {
  const now = useNow(1000);
  return (
    <ul class="jobs">
      {jobs.map((job) => (
        <JobRow
          key={job.id}
          job={job}
          sinceMs={runningSinceMs.get(job.id)}
          now={now}
          thumbnails={thumbnails}
          gone={goneFromServer.has(job.id)}
        />
      ))}
    </ul>
  );
}
