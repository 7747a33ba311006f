/** Streams: a tile per stream with its newest picture, its state and how far back its archive goes. */
import { useEffect, useState } from 'preact/hooks';
import { api, mediaUrls } from '../api/client.js';
import type { Session, StreamView } from '../api/types.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { StatusBadge, formatDepth } from '../components/stream-status.js';
import { hrefs } from '../router.js';

const LIST_REFRESH_MS = 5_000;
const THUMBNAIL_REFRESH_MS = 10_000;

/** The newest picture: a little before the archive's end, where a keyframe surely is. */
function liveThumbnailAt(stream: StreamView, nowS: number): number | undefined {
  const to = stream.archive.to;
  if (to === undefined) return undefined;
  return Math.floor(Math.min(nowS, to - 0.5));
}

function StreamTile({ stream, tick }: { stream: StreamView; tick: number }) {
  const at = liveThumbnailAt(stream, tick / 1000);
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [at]);
  return (
    <a class="tile card" href={hrefs.stream(stream.name)} data-stream={stream.name}>
      <div class="tile-picture">
        {at !== undefined && !broken ? (
          <img
            src={mediaUrls.preview(stream.name, at, 480)}
            alt={`Latest picture of ${stream.title}`}
            loading="lazy"
            onError={() => setBroken(true)}
          />
        ) : (
          <span class="muted">{at === undefined ? 'No recording yet' : 'No picture'}</span>
        )}
      </div>
      <div class="tile-body">
        <h2>{stream.title || stream.name}</h2>
        <StatusBadge stream={stream} />
        <p class="muted">Archive: {formatDepth(stream.archive.depth)}</p>
      </div>
    </a>
  );
}

/** The server lists only the session's streams; the filter here keeps a stale list from showing others. */
function allowed(session: Session, stream: StreamView): boolean {
  return session.streams === null || session.streams.includes(stream.name);
}

export function StreamsPage({ session }: { session: Session }) {
  const [streams, setStreams] = useState<StreamView[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(Date.now());

  const load = () =>
    api.streams().then(
      (list) => {
        setStreams(
          [...list.filter((s) => allowed(session, s))].sort((a, b) =>
            (a.title || a.name).localeCompare(b.title || b.name),
          ),
        );
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );

  useEffect(() => {
    void load();
    const list = setInterval(() => void load(), LIST_REFRESH_MS);
    const thumbs = setInterval(() => setTick(Date.now()), THUMBNAIL_REFRESH_MS);
    return () => {
      clearInterval(list);
      clearInterval(thumbs);
    };
  }, []);

  return (
    <main class="page">
      <h1>Streams</h1>
      {error !== undefined && <ErrorBox error={error} onRetry={() => void load()} />}
      {streams === undefined && error === undefined && <Loading what="streams" />}
      {streams?.length === 0 && (
        <Empty>
          {session.role === 'admin' ? (
            <p>
              No streams yet. <a href={hrefs.adminStreams()}>Add a camera</a> with its RTSP URL.
            </p>
          ) : session.streams !== null ? (
            <p>None of your streams exist yet. Ask an administrator which cameras you may see.</p>
          ) : (
            <p>No streams yet. An administrator adds cameras under Manage streams.</p>
          )}
        </Empty>
      )}
      {streams && streams.length > 0 && (
        <div class="tiles">
          {streams.map((s) => (
            <StreamTile key={s.name} stream={s} tick={tick} />
          ))}
        </div>
      )}
    </main>
  );
}
