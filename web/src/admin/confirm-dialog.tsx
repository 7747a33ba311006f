/** A modal "are you sure" with the action's own button text and an optional extra (a checkbox). */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { DialogActions, FormErrorLine, useSubmit } from '../components/form.js';

export interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** Rejects to keep the dialog open with the error shown. */
  onConfirm(): Promise<void>;
  onClose(): void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => ref.current?.showModal(), []);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await props.onConfirm();
    ref.current?.close();
  });

  return (
    <dialog ref={ref} class="dialog confirm-dialog" onClose={props.onClose} aria-labelledby="confirm-title">
      <form method="dialog" onSubmit={onSubmit}>
        <h2 id="confirm-title">{props.title}</h2>
        {props.children}
        <FormErrorLine message={error} />
        <DialogActions onCancel={() => ref.current?.close()} busy={busy} submitClass="danger">
          {props.confirmLabel}
        </DialogActions>
      </form>
    </dialog>
  );
}
