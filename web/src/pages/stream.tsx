/**
 * A stream: the live view or archive playback, the timeline under it, the
 * selection (export, lock) and that stream's exports with live progress.
 * Keyboard: space play/pause, arrows step a frame, L back to live.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, mediaUrls } from '../api/client.js';
import type { ExportJob, Session } from '../api/types.js';
import { ErrorBox, Loading } from '../components/states.js';
import { StatusBadge, formatDepth } from '../components/stream-status.js';
import { ExportDialog } from '../exports/export-dialog.js';
import { ExportList } from '../exports/export-list.js';
import { upsertExport, useExports } from '../exports/exports-store.js';
import { usePlayer, type PlayerSource } from '../player/use-player.js';
import { hrefs } from '../router.js';
import { Timeline } from '../timeline/timeline.js';
import { nextRecordedMs, type MsRange } from '../timeline/timeline-layout.js';
import { followTime, windowAround, zoomByLevels, panWindow, spanOf, type TimeWindow } from '../timeline/time-window.js';
import { HOUR_MS, browserTimeZone } from '../timeline/time-zone.js';
import { PlayerBar } from './player-bar.js';
import { SelectionBar } from './selection-bar.js';
import { useStreamData, useWindowEvents } from './stream-data.js';

/** Closer to now than this, "play from here" means live. */
const LIVE_EDGE_MS = 8_000;
/** Archive playlists cover at most this much from the chosen time; the end reloads from there. */
const ARCHIVE_PLAYLIST_MAX_S = 6 * 3600;

type Mode = { live: true } | { live: false; fromMs: number };

function sourceFor(name: string, mode: Mode, key: number, nowMs: number): PlayerSource {
  if (mode.live) return { url: mediaUrls.live(name), live: true, key };
  const fromS = Math.floor(mode.fromMs / 1000);
  const durationS = Math.min(ARCHIVE_PLAYLIST_MAX_S, Math.max(10, Math.ceil(nowMs / 1000 - fromS)));
  return { url: mediaUrls.archive(name, fromS, durationS), live: false, key };
}

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))
  );
}

export function StreamPage({ name, session }: { name: string; session: Session }) {
  const timeZone = browserTimeZone();
  // Viewers may play and read ranges, not read locks, events or exports, nor make them.
  const canOperate = session.role !== 'viewer';
  const data = useStreamData(name, canOperate);
  const [nowMs, setNowMs] = useState(Date.now());
  const [window, setWindow] = useState<TimeWindow>(() => windowAround(Date.now(), HOUR_MS, 0.9));
  const [follow, setFollow] = useState(true);
  const [mode, setMode] = useState<Mode>({ live: true });
  const [sourceKey, setSourceKey] = useState(0);
  const [selection, setSelection] = useState<MsRange | undefined>();
  const [selectMode, setSelectMode] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const events = useWindowEvents(name, window, canOperate);
  const exports = useExports(canOperate);

  // Only a new mode or seek reloads the player (the archive playlist's length is fixed when it starts).
  const source = useMemo(() => sourceFor(name, mode, sourceKey, Date.now()), [name, mode, sourceKey]);
  const [player, controls] = usePlayer(video, source);

  useEffect(() => {
    const id = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  const playheadMs = mode.live ? (player.playingMs ?? nowMs) : player.playingMs;
  useEffect(() => {
    if (follow && playheadMs !== undefined) setWindow((w) => followTime(w, playheadMs));
  }, [follow, playheadMs === undefined ? undefined : Math.floor(playheadMs / 1000)]);

  const goLive = () => {
    setMode({ live: true });
    setSourceKey((k) => k + 1);
    setFollow(true);
  };
  const playFrom = (tMs: number) => {
    const recorded = nextRecordedMs(data.ranges, tMs);
    if (recorded === undefined || nowMs - recorded < LIVE_EDGE_MS) return goLive();
    setMode({ live: false, fromMs: recorded });
    setSourceKey((k) => k + 1);
    setFollow(true);
  };

  // At the end of an archive playlist: carry on live when that is where it ended.
  useEffect(() => {
    if (player.ended && !mode.live) goLive();
  }, [player.ended]);

  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyHandler.current = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ') {
      e.preventDefault();
      controls.toggle();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      controls.stepFrame(e.key === 'ArrowRight' ? 1 : -1);
    } else if (e.key === 'l' || e.key === 'L') {
      goLive();
    }
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => keyHandler.current(e);
    globalThis.addEventListener('keydown', onKey);
    return () => globalThis.removeEventListener('keydown', onKey);
  }, []);

  const changeWindow = (w: TimeWindow) => {
    setFollow(false);
    setWindow(w);
  };

  const onQueued = (job: ExportJob) => {
    upsertExport(job);
    setExporting(false);
  };

  if (data.stream === undefined) {
    return (
      <main class="page">
        {data.error !== undefined ? (
          <ErrorBox error={data.error} onRetry={data.reload} />
        ) : (
          <Loading what={`stream ${name}`} />
        )}
        <p>
          <a href={hrefs.streams()}>← All streams</a>
        </p>
      </main>
    );
  }
  const stream = data.stream;
  const streamJobs = exports.jobs.filter((j) => j.stream === name);
  const nothingRecorded = data.ranges.length === 0;

  return (
    <main class="page stream-page">
      <div class="stream-head">
        <h1>{stream.title || stream.name}</h1>
        <StatusBadge stream={stream} />
        <span class="muted">Archive: {formatDepth(stream.archive.depth)}</span>
      </div>
      {data.error !== undefined && <ErrorBox error={data.error} onRetry={data.reload} />}
      <div class="player">
        <video ref={setVideo} muted playsInline autoPlay />
        <div class="player-overlay">
          <span class={mode.live ? 'live-tag' : 'archive-tag'}>{mode.live ? 'LIVE' : 'ARCHIVE'}</span>
          {player.waiting && !player.error && <span class="spinner" aria-label="Loading video" />}
        </div>
        {player.error && (
          <div class="player-message" role="alert">
            {player.error}
            {mode.live && stream.state.status !== 'recording'
              ? ' The source is offline; pick a time on the timeline to watch the archive.'
              : ''}
          </div>
        )}
        {nothingRecorded && mode.live && stream.state.status !== 'recording' && !player.error && (
          <div class="player-message">Nothing recorded yet, and the source is not sending. Check the camera.</div>
        )}
      </div>
      <PlayerBar
        player={player}
        controls={controls}
        live={mode.live}
        onLive={goLive}
        timeZone={timeZone}
        playheadMs={playheadMs}
        onZoom={(steps) => changeWindow(zoomByLevels(window, steps, playheadMs ?? (window.startMs + window.endMs) / 2))}
        onPan={(direction) => changeWindow(panWindow(window, (direction * spanOf(window)) / 2))}
        selectMode={selectMode}
        onSelectMode={setSelectMode}
      />
      <Timeline
        window={window}
        onWindowChange={changeWindow}
        ranges={data.ranges}
        locks={data.locks}
        events={events}
        playheadMs={playheadMs}
        nowMs={nowMs}
        selection={selection}
        onSelect={setSelection}
        onSeek={playFrom}
        selectMode={selectMode}
        timeZone={timeZone}
        previewUrl={(t) => mediaUrls.preview(name, Math.floor(t / 1000), 160)}
      />
      <p class="muted legend">
        <span class="key key-recorded" /> recorded <span class="key key-gap" /> gap <span class="key key-lock" /> locked{' '}
        <span class="key key-event" /> event · times in {timeZone} · wheel zooms, Shift+drag selects
      </p>
      <SelectionBar
        selection={selection}
        onSelect={setSelection}
        timeZone={timeZone}
        canOperate={canOperate}
        locks={data.locks}
        onExport={() => setExporting(true)}
        onLock={async (range) => data.setLocks(await api.addLock(name, range))}
        onUnlock={async (range) => data.setLocks(await api.removeLock(name, range))}
      />
      {exporting && selection && (
        <ExportDialog
          stream={{ name, title: stream.title }}
          range={selection}
          timeZone={timeZone}
          onClose={() => setExporting(false)}
          onQueued={onQueued}
        />
      )}
      {canOperate && (
        <section class="panel">
          <h2>Exports of this stream</h2>
          {streamJobs.length === 0 ? (
            <p class="muted">Select a range on the timeline, then Export.</p>
          ) : (
            <ExportList
              jobs={streamJobs}
              runningSinceMs={exports.runningSinceMs}
              goneFromServer={exports.goneFromServer}
            />
          )}
        </section>
      )}
    </main>
  );
}
