/**
 * The timeline under the player: recorded ranges, gaps, locks and events to
 * scale on a canvas, ticks in the viewer's zone, the playhead and a selection.
 * Wheel zooms around the cursor (horizontal wheel pans); hover shows the
 * picture at that time; a click or a drag plays from where it ends; a drag with
 * Shift (or in select mode, for touch screens) selects a range.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { generateTicks } from './ticks.js';
import { layoutBars, normalizeSelection, type MsRange } from './timeline-layout.js';
import { panWindow, spanOf, timeToX, xToTime, zoomByWheel, type TimeWindow } from './time-window.js';
import { formatLocalDateTime } from './time-zone.js';

export interface TimelineEvent extends MsRange {
  label: string;
  severity: string;
}

export interface TimelineProps {
  window: TimeWindow;
  onWindowChange(window: TimeWindow): void;
  ranges: readonly MsRange[];
  locks: readonly MsRange[];
  events: readonly TimelineEvent[];
  playheadMs: number | undefined;
  nowMs: number;
  selection: MsRange | undefined;
  onSelect(selection: MsRange | undefined): void;
  onSeek(tMs: number): void;
  /** Plain drags select instead of scrubbing (touch screens have no Shift). */
  selectMode: boolean;
  timeZone: string;
  previewUrl(tMs: number): string;
}

const HEIGHT = 104;
const LANES = { ticks: [0, 20], record: [24, 64], locks: [66, 76], events: [80, 96] } as const;
const SEVERITY_COLORS: Record<string, string> = {
  info: '#5b8def',
  warning: '#e0a526',
  alert: '#e8590c',
  critical: '#d6336c',
};
const CLICK_SLOP_PX = 4;
const PREVIEW_THROTTLE_MS = 250;

interface Colors {
  text: string;
  grid: string;
  gap: string;
  recorded: string;
  lock: string;
  selection: string;
  playhead: string;
  now: string;
}

function readColors(element: Element): Colors {
  const css = getComputedStyle(element);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--fg-muted', '#888'),
    grid: v('--border', '#444'),
    gap: v('--gap', 'rgba(128,128,128,.18)'),
    recorded: v('--recorded', '#2f9e44'),
    lock: v('--lock', '#f59f00'),
    selection: v('--selection', 'rgba(51,154,240,.3)'),
    playhead: v('--playhead', '#e03131'),
    now: v('--fg-muted', '#888'),
  };
}

function draw(canvas: HTMLCanvasElement, width: number, props: TimelineProps, hoverMs: number | undefined): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(HEIGHT * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, HEIGHT);
  const c = readColors(canvas);
  const w = props.window;
  const x = (t: number) => timeToX(w, width, t);

  // Gaps: everything up to now that is not recorded.
  const recordLane = LANES.record;
  const nowX = Math.min(width, x(props.nowMs));
  if (nowX > 0) {
    ctx.fillStyle = c.gap;
    ctx.fillRect(0, recordLane[0], nowX, recordLane[1] - recordLane[0]);
  }
  ctx.fillStyle = c.recorded;
  for (const bar of layoutBars(props.ranges, w, width)) {
    ctx.fillRect(bar.x, recordLane[0], bar.width, recordLane[1] - recordLane[0]);
  }
  ctx.fillStyle = c.lock;
  for (const bar of layoutBars(props.locks, w, width)) {
    ctx.fillRect(bar.x, LANES.locks[0], bar.width, LANES.locks[1] - LANES.locks[0]);
  }
  for (const event of props.events) {
    if (event.endMs < w.startMs || event.startMs > w.endMs) continue;
    ctx.fillStyle = SEVERITY_COLORS[event.severity.toLowerCase()] ?? SEVERITY_COLORS.info!;
    const x0 = x(event.startMs);
    ctx.fillRect(x0, LANES.events[0], Math.max(3, x(event.endMs) - x0), LANES.events[1] - LANES.events[0]);
  }

  // Ticks and labels.
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const tick of generateTicks(w, width, props.timeZone, { minSpacingPx: 80 })) {
    const tx = Math.round(x(tick.tMs)) + 0.5;
    ctx.strokeStyle = c.grid;
    ctx.beginPath();
    ctx.moveTo(tx, tick.major ? 0 : 14);
    ctx.lineTo(tx, HEIGHT);
    ctx.stroke();
    ctx.fillStyle = c.text;
    ctx.font = tick.major ? 'bold 11px system-ui, sans-serif' : '11px system-ui, sans-serif';
    ctx.fillText(tick.label, tx + 3, 2);
  }

  if (props.selection) {
    const x0 = x(props.selection.startMs);
    const x1 = x(props.selection.endMs);
    ctx.fillStyle = c.selection;
    ctx.fillRect(x0, LANES.ticks[1], Math.max(1, x1 - x0), HEIGHT - LANES.ticks[1]);
  }
  if (nowX >= 0 && nowX <= width) {
    ctx.strokeStyle = c.now;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(nowX + 0.5, LANES.ticks[1]);
    ctx.lineTo(nowX + 0.5, HEIGHT);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (hoverMs !== undefined) {
    ctx.strokeStyle = c.text;
    ctx.beginPath();
    ctx.moveTo(Math.round(x(hoverMs)) + 0.5, LANES.ticks[1]);
    ctx.lineTo(Math.round(x(hoverMs)) + 0.5, HEIGHT);
    ctx.stroke();
  }
  if (props.playheadMs !== undefined) {
    const px = Math.round(x(props.playheadMs));
    ctx.fillStyle = c.playhead;
    ctx.fillRect(px - 1, LANES.ticks[1], 2, HEIGHT - LANES.ticks[1]);
  }
}

type Drag = {
  pointerId: number;
  startX: number;
  startMs: number;
  kind: 'scrub' | 'select' | 'pan';
  moved: boolean;
  window: TimeWindow;
};

export function Timeline(props: TimelineProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(600);
  const [hover, setHover] = useState<{ x: number; tMs: number } | undefined>();
  const [preview, setPreview] = useState<{ tMs: number; url: string } | undefined>();
  const dragRef = useRef<Drag | undefined>(undefined);
  const propsRef = useRef(props);
  propsRef.current = props;
  const lastPreviewAt = useRef(0);

  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(100, wrap.clientWidth)));
    observer.observe(wrap);
    setWidth(Math.max(100, wrap.clientWidth));
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (canvasRef.current) draw(canvasRef.current, width, props, hover?.tMs);
  });

  // Wheel listeners must be non-passive to keep the page from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const p = propsRef.current;
      const rect = canvas.getBoundingClientRect();
      const anchor = xToTime(p.window, rect.width, e.clientX - rect.left);
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        p.onWindowChange(panWindow(p.window, (e.deltaX / rect.width) * spanOf(p.window)));
      } else {
        p.onWindowChange(zoomByWheel(p.window, e.deltaY, anchor));
      }
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, []);

  const timeAt = (e: PointerEvent): { x: number; tMs: number } => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const x = Math.min(rect.width, Math.max(0, e.clientX - rect.left));
    return { x, tMs: xToTime(props.window, rect.width, x) };
  };

  const showPreview = (tMs: number) => {
    const now = Date.now();
    if (now - lastPreviewAt.current < PREVIEW_THROTTLE_MS) return;
    lastPreviewAt.current = now;
    setPreview({ tMs, url: props.previewUrl(tMs) });
  };

  const onPointerDown = (e: PointerEvent) => {
    const { tMs } = timeAt(e);
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    const kind = e.altKey || e.ctrlKey || e.metaKey ? 'pan' : e.shiftKey || props.selectMode ? 'select' : 'scrub';
    dragRef.current = {
      pointerId: e.pointerId,
      startX: e.clientX,
      startMs: tMs,
      kind,
      moved: false,
      window: props.window,
    };
  };

  const onPointerMove = (e: PointerEvent) => {
    const at = timeAt(e);
    setHover(at);
    showPreview(at.tMs);
    const drag = dragRef.current;
    if (!drag || drag.pointerId !== e.pointerId) return;
    if (Math.abs(e.clientX - drag.startX) > CLICK_SLOP_PX) drag.moved = true;
    if (!drag.moved) return;
    if (drag.kind === 'select') props.onSelect(normalizeSelection(drag.startMs, at.tMs));
    if (drag.kind === 'pan') {
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
      props.onWindowChange(panWindow(drag.window, (-(e.clientX - drag.startX) / rect.width) * spanOf(drag.window)));
    }
  };

  const onPointerUp = (e: PointerEvent) => {
    const drag = dragRef.current;
    dragRef.current = undefined;
    if (!drag || drag.pointerId !== e.pointerId) return;
    const { tMs } = timeAt(e);
    if (drag.kind === 'pan' && drag.moved) return;
    if (drag.kind === 'select' && drag.moved) {
      props.onSelect(normalizeSelection(drag.startMs, tMs));
      return;
    }
    props.onSeek(tMs);
  };

  const visibleRanges = layoutBars(props.ranges, props.window, width).length;
  const previewLeft = hover ? Math.min(Math.max(0, hover.x - 80), width - 160) : 0;
  return (
    <div class="timeline" ref={wrapRef} data-visible-ranges={visibleRanges}>
      <canvas
        ref={canvasRef}
        style={{ width: `${width}px`, height: `${HEIGHT}px` }}
        role="slider"
        tabIndex={0}
        aria-label="Timeline: click to play from a time, Shift+drag to select a range"
        aria-valuemin={props.window.startMs}
        aria-valuemax={props.window.endMs}
        aria-valuenow={props.playheadMs ?? props.nowMs}
        aria-valuetext={formatLocalDateTime(props.playheadMs ?? props.nowMs, props.timeZone)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (dragRef.current = undefined)}
        onPointerLeave={() => setHover(undefined)}
      />
      {hover && (
        <div class="timeline-hover" style={{ left: `${previewLeft}px` }}>
          {preview && (
            <img
              src={preview.url}
              alt=""
              width={160}
              onError={(e) => (e.currentTarget.style.visibility = 'hidden')}
              onLoad={(e) => (e.currentTarget.style.visibility = 'visible')}
            />
          )}
          <span>{formatLocalDateTime(hover.tMs, props.timeZone)}</span>
        </div>
      )}
      <p class="sr-only" aria-live="polite">
        {visibleRanges === 0 ? 'Nothing recorded in view.' : `${visibleRanges} recorded range(s) in view.`}
      </p>
    </div>
  );
}
