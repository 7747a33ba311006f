/** What an operator or viewer sees on an admin URL: why, and where to go instead. */
import type { Session } from '../api/types.js';
import { hrefs } from '../router.js';

export function NeedsAdmin({ session }: { session: Session }) {
  return (
    <main class="page">
      <div class="state state-needs-admin card" role="alert" data-testid="needs-admin">
        <h1>This page needs the admin role</h1>
        <p>
          You are signed in as <strong>{session.user}</strong> with the role <strong>{session.role}</strong>. Streams,
          users, keys and retention are managed by administrators; ask one to change this for you, or to give you the
          admin role.
        </p>
        <p>
          <a href={hrefs.streams()}>← Back to the streams</a>
        </p>
      </div>
    </main>
  );
}
