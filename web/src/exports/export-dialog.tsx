/**
 * The export dialog for a selected range: container, stream copy or transcode
 * with the export jobs' options, and the file name it will get. Submitting
 * queues the job (`POST /api/v1/exports`); the panel then shows its progress.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import {
  AUDIO_CODECS,
  CONTAINERS,
  VIDEO_BITRATES_KBPS,
  VIDEO_CODECS,
  VIDEO_RESOLUTIONS,
  type ExportContainer,
  type ExportJob,
  type ExportOptions,
  type ExportRequest,
} from '../api/types.js';
import { DialogActions, FormErrorLine, useSubmit } from '../components/form.js';
import { fieldMessageOf } from '../components/states.js';
import type { MsRange } from '../timeline/timeline-layout.js';
import { formatLocalDateTime } from '../timeline/time-zone.js';
import { previewFileName } from './file-name-preview.js';
import { formatDuration } from './progress.js';

export interface ExportDialogProps {
  stream: { name: string; title: string };
  range: MsRange;
  timeZone: string;
  onClose(): void;
  onQueued(job: ExportJob): void;
}

interface Form {
  container: ExportContainer;
  transcode: boolean;
  codec: string;
  bitrate: number;
  resolution: string;
  audio: string;
  audioBitrate: number;
  channelName: boolean;
  timestamp: boolean;
  figures: boolean;
  align: number;
  timelapse: number;
  fileName: string;
}

const INITIAL: Form = {
  container: 'mp4',
  transcode: false,
  codec: 'h264',
  bitrate: 2000,
  resolution: '',
  audio: 'copy',
  audioBitrate: 128,
  channelName: false,
  timestamp: false,
  figures: false,
  align: 1,
  timelapse: 1,
  fileName: '',
};

/** The request for `form`; stream copy sends no video options (the server ignores them anyway). */
export function exportRequestOf(form: Form, stream: string, range: MsRange, timeZone: string): ExportRequest {
  const options: ExportOptions = {};
  if (form.transcode) {
    options.video_codec = form.codec;
    options.video_bitrate = form.bitrate;
    if (form.resolution) options.video_resolution = form.resolution;
    options.need_channel_name_watermark = form.channelName;
    options.need_timestamp_watermark = form.timestamp;
    options.watermark_need_figures = form.figures;
    options.watermark_align = form.align;
    if (form.timelapse > 1) options.timelapse = form.timelapse;
  }
  if (form.audio !== 'copy') options.audio_codec = form.audio;
  if (form.audio === 'aac' || form.audio === 'wma') options.audio_bitrate = form.audioBitrate;
  return {
    stream,
    start: range.startMs / 1000,
    end: range.endMs / 1000,
    container: form.container,
    tz: timeZone,
    ...(form.fileName.trim() ? { file_name: form.fileName.trim() } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

export function ExportDialog(props: ExportDialogProps) {
  const [form, setForm] = useState<Form>(INITIAL);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    dialogRef.current?.showModal();
  }, []);

  const { range, timeZone } = props;
  const durationS = (range.endMs - range.startMs) / 1000;
  const fileName = previewFileName({
    title: props.stream.title || props.stream.name,
    startMs: range.startMs,
    endMs: range.endMs,
    container: form.container,
    timeZone,
    custom: form.fileName,
  });

  const { busy, error, onSubmit } = useSubmit(
    async () => props.onQueued(await api.createExport(exportRequestOf(form, props.stream.name, range, timeZone))),
    fieldMessageOf,
  );

  return (
    <dialog ref={dialogRef} class="dialog export-dialog" onClose={props.onClose} aria-labelledby="export-title">
      <form method="dialog" onSubmit={onSubmit}>
        <h2 id="export-title">Export {props.stream.title || props.stream.name}</h2>
        <p class="muted">
          {formatLocalDateTime(range.startMs, timeZone)} → {formatLocalDateTime(range.endMs, timeZone)} (
          {formatDuration(durationS)}, {timeZone})
        </p>
        <fieldset>
          <legend>File</legend>
          <label>
            Container
            <select
              name="container"
              value={form.container}
              onChange={(e) => set('container', e.currentTarget.value as ExportContainer)}
            >
              {CONTAINERS.map((c) => (
                <option key={c} value={c}>
                  {c.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
          <label>
            File name <span class="muted">(optional)</span>
            <input
              name="file_name"
              placeholder="from the template"
              value={form.fileName}
              onInput={(e) => set('fileName', e.currentTarget.value)}
            />
          </label>
          <p class="file-name-preview" data-testid="file-name-preview">
            {fileName}
          </p>
        </fieldset>
        <fieldset>
          <legend>Video</legend>
          <label class="inline">
            <input type="radio" name="mode" checked={!form.transcode} onChange={() => set('transcode', false)} /> Copy
            (fast, exact, no quality loss)
          </label>
          <label class="inline">
            <input type="radio" name="mode" checked={form.transcode} onChange={() => set('transcode', true)} />{' '}
            Transcode
          </label>
          {form.transcode && (
            <div class="grid-2">
              <label>
                Codec
                <select value={form.codec} onChange={(e) => set('codec', e.currentTarget.value)}>
                  {VIDEO_CODECS.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Bitrate
                <select value={form.bitrate} onChange={(e) => set('bitrate', Number(e.currentTarget.value))}>
                  {VIDEO_BITRATES_KBPS.map((b) => (
                    <option key={b} value={b}>
                      {b} kbit/s
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Resolution
                <select value={form.resolution} onChange={(e) => set('resolution', e.currentTarget.value)}>
                  <option value="">as recorded</option>
                  {VIDEO_RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Timelapse
                <select value={form.timelapse} onChange={(e) => set('timelapse', Number(e.currentTarget.value))}>
                  {[1, 2, 4, 8, 16, 32, 60, 120].map((f) => (
                    <option key={f} value={f}>
                      {f === 1 ? 'off' : `${f}× (no audio)`}
                    </option>
                  ))}
                </select>
              </label>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={form.channelName}
                  onChange={(e) => set('channelName', e.currentTarget.checked)}
                />{' '}
                Stream name
              </label>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={form.timestamp}
                  onChange={(e) => set('timestamp', e.currentTarget.checked)}
                />{' '}
                Time stamp
              </label>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={form.figures}
                  onChange={(e) => set('figures', e.currentTarget.checked)}
                />{' '}
                Event boxes
              </label>
              <label>
                Watermark corner
                <select value={form.align} onChange={(e) => set('align', Number(e.currentTarget.value))}>
                  <option value={1}>top left</option>
                  <option value={2}>top right</option>
                  <option value={3}>bottom left</option>
                  <option value={4}>bottom right</option>
                </select>
              </label>
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>Audio</legend>
          <div class="grid-2">
            <label>
              Audio
              <select value={form.audio} onChange={(e) => set('audio', e.currentTarget.value)}>
                {AUDIO_CODECS.map((a) => (
                  <option key={a} value={a}>
                    {a === 'copy' ? 'copy as recorded' : a}
                  </option>
                ))}
              </select>
            </label>
            {(form.audio === 'aac' || form.audio === 'wma') && (
              <label>
                Audio bitrate
                <select value={form.audioBitrate} onChange={(e) => set('audioBitrate', Number(e.currentTarget.value))}>
                  <option value={64}>64 kbit/s</option>
                  <option value={128}>128 kbit/s</option>
                </select>
              </label>
            )}
          </div>
        </fieldset>
        <FormErrorLine message={error} />
        <DialogActions onCancel={() => dialogRef.current?.close()} busy={busy} submitClass="primary">
          {busy ? 'Queuing…' : 'Export'}
        </DialogActions>
      </form>
    </dialog>
  );
}
