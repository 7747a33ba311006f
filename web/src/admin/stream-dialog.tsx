/**
 * Add or edit a stream: its source URLs, title, picture, audio and archive
 * settings, saved with one PUT. The server's validation message is shown at
 * the field its `field` names; anything else above the buttons.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi, type StreamSettingsView } from '../api/admin.js';
import { ApiError } from '../api/client.js';
import { DialogActions, FormErrorLine } from '../components/form.js';
import { messageOf } from '../components/states.js';
import { EMPTY_STREAM_FORM, formFieldOf, formOfStream, wireOfForm, type StreamForm } from './stream-form-model.js';

export interface StreamDialogProps {
  /** Absent: a new stream. */
  stream?: StreamSettingsView;
  onSaved(stream: StreamSettingsView): void;
  onClose(): void;
}

interface FormError {
  message: string;
  field?: keyof StreamForm;
}

function Field(props: {
  label: string;
  name: keyof StreamForm;
  error?: FormError;
  hint?: string;
  children: ComponentChildren;
}) {
  const mine = props.error?.field === props.name;
  return (
    <label class={mine ? 'field field-invalid' : 'field'} data-field={props.name}>
      {props.label}
      {props.children}
      {props.hint && !mine && <small class="muted">{props.hint}</small>}
      {mine && (
        <small class="field-error" role="alert">
          {props.error?.message}
        </small>
      )}
    </label>
  );
}

export function StreamDialog(props: StreamDialogProps) {
  const editing = props.stream !== undefined;
  const [form, setForm] = useState<StreamForm>(() => (props.stream ? formOfStream(props.stream) : EMPTY_STREAM_FORM));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | undefined>();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => ref.current?.showModal(), []);

  const set = <K extends keyof StreamForm>(key: K, value: StreamForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (error?.field === key) setError(undefined);
  };
  const text = (key: 'name' | 'title' | 'url' | 'substreamUrl' | 'dvrRoot' | 'expirationHours' | 'diskLimit') => ({
    name: key,
    value: form[key],
    'aria-invalid': error?.field === key ? true : undefined,
    onInput: (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value),
  });

  async function submit(e: Event) {
    e.preventDefault();
    const name = form.name.trim();
    if (name === '') {
      setError({ field: 'name', message: 'A stream needs a name: letters, digits, "_" or "-".' });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onSaved(await adminApi.saveStream(name, wireOfForm(form)));
      ref.current?.close();
    } catch (err) {
      const field = err instanceof ApiError ? formFieldOf(err.field) : undefined;
      setError({ message: messageOf(err), ...(field ? { field } : {}) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={ref} class="dialog stream-dialog" onClose={props.onClose} aria-labelledby="stream-dialog-title">
      <form method="dialog" onSubmit={submit} noValidate>
        <h2 id="stream-dialog-title">{editing ? `Edit ${props.stream?.title || form.name}` : 'Add a stream'}</h2>
        <fieldset>
          <legend>Source</legend>
          <div class="grid-2">
            <Field label="Name" name="name" error={error} hint="In URLs: letters, digits, _ or -">
              <input {...text('name')} required disabled={editing} autocomplete="off" />
            </Field>
            <Field label="Title" name="title" error={error}>
              <input {...text('title')} placeholder="Front door" />
            </Field>
          </div>
          <Field
            label="URL"
            name="url"
            error={error}
            hint="rtsp://, rtmp://, http(s)://, srt://, file://, demo://, publish://"
          >
            <input {...text('url')} required placeholder="rtsp://user:password@camera/stream" autocomplete="off" />
          </Field>
          <Field label="Substream URL (optional)" name="substreamUrl" error={error} hint="A lower-resolution stream">
            <input {...text('substreamUrl')} autocomplete="off" />
          </Field>
          <label class="inline">
            <input
              type="checkbox"
              name="enabled"
              checked={form.enabled}
              onChange={(e) => set('enabled', e.currentTarget.checked)}
            />
            Record this stream
          </label>
        </fieldset>
        <fieldset>
          <legend>Picture and sound</legend>
          <div class="grid-3">
            <Field label="Flip" name="flip" error={error}>
              <select
                name="flip"
                value={form.flip}
                onChange={(e) => set('flip', e.currentTarget.value as StreamForm['flip'])}
              >
                <option value="none">none</option>
                <option value="horizontal">horizontal</option>
                <option value="vertical">vertical</option>
                <option value="both">both</option>
              </select>
            </Field>
            <Field label="Rotate" name="rotate" error={error}>
              <select
                name="rotate"
                value={String(form.rotate)}
                onChange={(e) => set('rotate', Number(e.currentTarget.value) as StreamForm['rotate'])}
              >
                {[0, 90, 180, 270].map((r) => (
                  <option key={r} value={r}>
                    {r}°
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Audio" name="audio" error={error}>
              <select
                name="audio"
                value={form.audio}
                onChange={(e) => set('audio', e.currentTarget.value as StreamForm['audio'])}
              >
                <option value="keep">keep</option>
                <option value="transcode">transcode to AAC</option>
                <option value="drop">drop</option>
              </select>
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Archive</legend>
          <Field label="Archive folder (optional)" name="dvrRoot" error={error} hint="Empty: the server's default">
            <input {...text('dvrRoot')} autocomplete="off" />
          </Field>
          <div class="grid-2">
            <Field
              label="Keep recordings for (hours)"
              name="expirationHours"
              error={error}
              hint="Empty: until the disk limit"
            >
              <input {...text('expirationHours')} type="number" min="0" step="any" inputMode="decimal" />
            </Field>
            <Field label="Disk limit" name="diskLimit" error={error} hint='Bytes, or "500G", "1.5T", "80%"'>
              <input {...text('diskLimit')} placeholder="500G" autocomplete="off" />
            </Field>
          </div>
        </fieldset>
        <FormErrorLine message={error?.field === undefined ? error?.message : undefined} />
        <DialogActions onCancel={() => ref.current?.close()} busy={busy} submitClass="primary">
          {busy ? 'Saving…' : editing ? 'Save' : 'Add stream'}
        </DialogActions>
      </form>
    </dialog>
  );
}
