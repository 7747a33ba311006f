/**
 * The video element driven by hls.js (or the browser's own HLS where there is
 * no MediaSource, as on iPhones): live with low latency, or an archive
 * playlist. Reports the wall-clock time being shown, from the playlists'
 * EXT-X-PROGRAM-DATE-TIME, so the timeline's playhead is where the picture is.
 */
import Hls from 'hls.js/light';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface PlayerSource {
  url: string;
  live: boolean;
  /** Bumped to reload the same URL (a new seek). */
  key: number;
}

export interface PlayerState {
  /** Wall-clock ms of the frame shown, once known. */
  playingMs: number | undefined;
  paused: boolean;
  waiting: boolean;
  ended: boolean;
  rate: number;
  error: string | undefined;
}

export interface PlayerControls {
  toggle(): void;
  setRate(rate: number): void;
  /** Pauses and moves one frame forward (1) or back (-1). */
  stepFrame(direction: 1 | -1): void;
}

const DEFAULT_FPS = 25;

function nativeHls(video: HTMLVideoElement): boolean {
  return video.canPlayType('application/vnd.apple.mpegurl') !== '';
}

function playingDateMs(video: HTMLVideoElement, hls: Hls | undefined): number | undefined {
  const date = hls?.playingDate;
  if (date) return date.getTime();
  // Safari's own HLS: the playlist's first PROGRAM-DATE-TIME plus the position.
  const start = (video as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.();
  if (start && !Number.isNaN(start.getTime())) return start.getTime() + video.currentTime * 1000;
  return undefined;
}

/** `video` comes from a callback ref, so the player starts whenever the element appears (after loading states). */
export function usePlayer(
  video: HTMLVideoElement | null,
  source: PlayerSource | undefined,
): [PlayerState, PlayerControls] {
  const hlsRef = useRef<Hls | undefined>(undefined);
  const [rate, setRateState] = useState(1);
  const rateRef = useRef(1);
  const [state, setState] = useState<Omit<PlayerState, 'rate'>>({
    playingMs: undefined,
    paused: true,
    waiting: false,
    ended: false,
    error: undefined,
  });

  useEffect(() => {
    if (!video || !source) return;
    setState((s) => ({ ...s, playingMs: undefined, ended: false, error: undefined, waiting: true }));
    let hls: Hls | undefined;
    if (Hls.isSupported()) {
      hls = new Hls(
        source.live
          ? { lowLatencyMode: true, liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 30 }
          : { backBufferLength: 60, startPosition: 0 },
      );
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          hls?.recoverMediaError();
          return;
        }
        const status = data.response?.code;
        setState((s) => ({
          ...s,
          waiting: false,
          error:
            status === 404
              ? 'Nothing is recorded there.'
              : status === 401 || status === 403
                ? 'You may not watch this stream.'
                : `Playback failed (${data.details}).`,
        }));
      });
      hls.loadSource(source.url);
      hls.attachMedia(video);
    } else if (nativeHls(video)) {
      video.src = source.url;
    } else {
      setState((s) => ({ ...s, error: 'This browser cannot play HLS video.' }));
      return;
    }
    hlsRef.current = hls;
    video.playbackRate = rateRef.current;
    void video.play().catch(() => undefined);

    const update = () =>
      setState((s) => ({
        ...s,
        playingMs: playingDateMs(video, hls) ?? s.playingMs,
        paused: video.paused,
        ended: video.ended,
      }));
    const waiting = () => setState((s) => ({ ...s, waiting: true }));
    const playing = () => {
      video.playbackRate = rateRef.current;
      setState((s) => ({ ...s, waiting: false, paused: false }));
    };
    const events: [string, () => void][] = [
      ['timeupdate', update],
      ['pause', update],
      ['play', update],
      ['ended', update],
      ['seeked', update],
      ['waiting', waiting],
      ['playing', playing],
      ['canplay', playing],
    ];
    for (const [name, fn] of events) video.addEventListener(name, fn);
    return () => {
      for (const [name, fn] of events) video.removeEventListener(name, fn);
      hls?.destroy();
      hlsRef.current = undefined;
      video.removeAttribute('src');
      video.load();
    };
  }, [video, source?.url, source?.key]);

  const controls: PlayerControls = {
    toggle() {
      if (!video) return;
      if (video.paused) void video.play().catch(() => undefined);
      else video.pause();
    },
    setRate(next) {
      rateRef.current = next;
      setRateState(next);
      if (video) video.playbackRate = next;
    },
    stepFrame(direction) {
      if (!video) return;
      video.pause();
      const hls = hlsRef.current;
      const fps = hls?.levels[hls.currentLevel]?.frameRate || DEFAULT_FPS;
      video.currentTime = Math.max(0, video.currentTime + direction / fps);
    },
  };
  return [{ ...state, rate }, controls];
}
