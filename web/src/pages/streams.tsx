/** Streams: a tile per stream with its newest picture, its state and how far back its archive goes. */
import { useEffect, useState } from 'preact/hooks';
import { api, mediaUrls } from '../api/client.js';
import type { Session, StreamView } from '../api/types.js';
import { ListStates } from '../components/states.js';
import { StatusBadge, formatDepth } from '../components/stream-status.js';
import { hrefs } from '../router.js';

const LIST_REFRESH_MS = 5_000;
/** The tile's picture moves on in steps of this, however often the list (and the archive's end) moves. */
const THUMBNAIL_STEP_S = 10;

/**
 * The newest picture: a little before the archive's end, where a keyframe
 * surely is, rounded down to a THUMBNAIL_STEP_S step so each list refresh
 * does not ask for a new one (the end grows with every fragment). Never
 * before the archive's start, where there is nothing to decode.
 */
function liveThumbnailAt(stream: StreamView, nowS: number): number | undefined {
  const { from, to } = stream.archive;
  if (from === undefined || to === undefined) return undefined;
  const newest = Math.min(nowS, to - 0.5);
  return Math.max(Math.ceil(from), Math.floor(newest / THUMBNAIL_STEP_S) * THUMBNAIL_STEP_S);
}

function StreamTile({ stream }: { stream: StreamView }) {
  const at = liveThumbnailAt(stream, Date.now() / 1000);
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
    const id = setInterval(() => void load(), LIST_REFRESH_MS);
    return () => clearInterval(id);
  }, []);

  return (
    <main class="page">
      <h1>Streams</h1>
      <ListStates
        items={streams}
        error={error}
        what="streams"
        onRetry={() => void load()}
        empty={
          session.role === 'admin' ? (
            <p>
              No streams yet. <a href={hrefs.adminStreams()}>Add a camera</a> with its RTSP URL.
            </p>
          ) : session.streams !== null ? (
            <p>None of your streams exist yet. Ask an administrator which cameras you may see.</p>
          ) : (
            <p>No streams yet. An administrator adds cameras under Manage streams.</p>
          )
        }
      >
        {(list) => (
          <div class="tiles">
            {list.map((s) => (
              <StreamTile key={s.name} stream={s} />
            ))}
          </div>
        )}
      </ListStates>
    </main>
  );
}
