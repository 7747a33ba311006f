/**
 * The page `/` shows when the web UI has not been built (no web/dist): what is
 * missing and the one command that fixes it. It needs no login, so it names
 * no stream; the API keeps working either way.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export function renderWebUiMissingPage(distDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Vigil: web UI not built</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem;line-height:1.5}code{background:#8882;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>Vigil is running, but its web UI is not built</h1>
<p>No built UI was found at <code>${escapeHtml(distDir)}</code>. Build it from the repository with:</p>
<pre><code>npm run build:web</code></pre>
<p>then restart <code>vigil serve</code> and reload this page. The server lists the built files when it starts, so a rebuild while it runs needs a restart too.</p>
<p>The API and the viewer URLs work meanwhile: see the README's “Admin API” and “Viewer URLs”, or <code>/healthz</code>.</p>
</body></html>
`;
}
