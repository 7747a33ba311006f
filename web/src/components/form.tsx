/** What every form shares: the submit with its busy flag and error line, and a dialog's Cancel/submit row. */
import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { messageOf } from './states.js';

export interface Submit {
  busy: boolean;
  error: string | undefined;
  onSubmit(e: Event): Promise<void>;
}

/** Runs `action` on submit; while it runs `busy` is set, and a rejection becomes `error` through `describe`. */
export function useSubmit(action: () => Promise<void>, describe: (err: unknown) => string = messageOf): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, onSubmit };
}

export interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  /** Gets what is typed. */
  onValue(value: string): void;
  type?: 'text' | 'password' | 'number';
  placeholder?: string;
  autocomplete?: string;
  required?: boolean;
  minLength?: number;
  min?: string;
  step?: string;
}

/** A labelled input bound to a string. */
export function TextField({ label, value, onValue, ...input }: TextFieldProps) {
  // Preact types <input> as one variant per `type`; a `type` that is a union of them matches none, hence the cast.
  const attrs = input as InputHTMLAttributes;
  return (
    <label>
      {label}
      <input {...attrs} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}

export function FormErrorLine({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert">
      {message}
    </p>
  );
}

/** A dialog form's footer: Cancel closes it, the submit button shows `children` and is off while busy. */
export function DialogActions(props: {
  onCancel(): void;
  busy: boolean;
  submitClass: 'primary' | 'danger';
  children: ComponentChildren;
}) {
  return (
    <div class="actions">
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" class={props.submitClass} disabled={props.busy}>
        {props.children}
      </button>
    </div>
  );
}
