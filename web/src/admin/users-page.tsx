/** Admin: users and API keys on one page. */
import { KeysSection } from './keys-section.js';
import { UsersSection } from './users-section.js';

export function UsersPage() {
  return (
    <main class="page admin-page">
      <h1>Users and keys</h1>
      <UsersSection />
      <KeysSection />
    </main>
  );
}
