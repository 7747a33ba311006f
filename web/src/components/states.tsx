/** The loading, empty and error states every page shows the same way. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

/** What to do about an error, by its kind. */
export function adviceFor(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.offline)
      return 'Check that Vigil is running and that this device is online; retrying will work once it is.';
    if (error.status === 403)
      return 'Your account may not do this; ask an administrator for the operator role or access to this stream.';
    if (error.status === 404) return 'It may have been deleted; go back to the list.';
    if (error.status === 429) return 'The server is busy; wait a moment and try again.';
    if (error.status >= 500) return 'The server failed; its log says why. Try again, or tell an administrator.';
  }
  return '';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The message led by the field the server named, if it named one: `streams: no such stream "x"`. */
export function fieldMessageOf(error: unknown): string {
  return error instanceof ApiError && error.field ? `${error.field}: ${messageOf(error)}` : messageOf(error);
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <strong>{messageOf(error)}</strong>
      <span> {adviceFor(error)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/**
 * A loaded list's four states: the error with a retry, loading, `empty`, or
 * `children` given the items. An error keeps the last good items in view.
 */
export function ListStates<T>(props: {
  items: readonly T[] | undefined;
  error: unknown;
  what: string;
  onRetry(): void;
  empty: ComponentChildren;
  children(items: readonly T[]): ComponentChildren;
}) {
  const { items, error } = props;
  return (
    <>
      {error !== undefined && <ErrorBox error={error} onRetry={props.onRetry} />}
      {items === undefined && error === undefined && <Loading what={props.what} />}
      {items?.length === 0 && <Empty>{props.empty}</Empty>}
      {items && items.length > 0 && props.children(items)}
    </>
  );
}
