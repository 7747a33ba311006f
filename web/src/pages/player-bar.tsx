/** Play/pause, frame step, speed, go live, zoom and pan buttons, and the time shown. */
import type { PlayerControls, PlayerState } from '../player/use-player.js';
import { formatLocalDateTime } from '../timeline/time-zone.js';

const SPEEDS = [1, 2, 4, 8, 16] as const;

export interface PlayerBarProps {
  player: PlayerState;
  controls: PlayerControls;
  live: boolean;
  onLive(): void;
  timeZone: string;
  playheadMs: number | undefined;
  onZoom(steps: number): void;
  onPan(direction: 1 | -1): void;
  selectMode: boolean;
  onSelectMode(on: boolean): void;
}

export function PlayerBar(props: PlayerBarProps) {
  const { player, controls } = props;
  return (
    <div class="player-bar" role="toolbar" aria-label="Playback">
      <button
        type="button"
        onClick={controls.toggle}
        aria-label={player.paused ? 'Play' : 'Pause'}
        title="Play/pause (space)"
      >
        {player.paused ? '▶' : '❚❚'}
      </button>
      <button
        type="button"
        onClick={() => controls.stepFrame(-1)}
        aria-label="Previous frame"
        title="Previous frame (←)"
      >
        |◀
      </button>
      <button type="button" onClick={() => controls.stepFrame(1)} aria-label="Next frame" title="Next frame (→)">
        ▶|
      </button>
      <label class="speed">
        <span class="sr-only">Speed</span>
        <select
          value={player.rate}
          disabled={props.live}
          onChange={(e) => controls.setRate(Number(e.currentTarget.value))}
          aria-label="Speed"
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <button type="button" class={props.live ? 'live-on' : ''} onClick={props.onLive} title="Go live (L)">
        ● Live
      </button>
      <span class="clock" data-testid="playhead">
        {props.playheadMs === undefined ? '—' : formatLocalDateTime(props.playheadMs, props.timeZone)}
      </span>
      <span class="spacer" />
      <button type="button" onClick={() => props.onPan(-1)} aria-label="Earlier">
        ◀
      </button>
      <button type="button" onClick={() => props.onZoom(-1)} aria-label="Zoom out">
        −
      </button>
      <button type="button" onClick={() => props.onZoom(1)} aria-label="Zoom in">
        +
      </button>
      <button type="button" onClick={() => props.onPan(1)} aria-label="Later">
        ▶
      </button>
      <label class="inline select-toggle" title="Drag on the timeline selects a range (for touch screens)">
        <input
          type="checkbox"
          checked={props.selectMode}
          onChange={(e) => props.onSelectMode(e.currentTarget.checked)}
        />{' '}
        Select
      </label>
    </div>
  );
}
