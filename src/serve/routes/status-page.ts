/**
 * `GET /`: a small HTML page with each stream's state and recorded ranges and
 * the API's paths, until the web UI exists. It shows names and titles only:
 * source URLs may carry camera passwords, and this page needs no login.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { usToIso } from '../../time.js';
import type { AppDeps } from '../deps.js';
import { streamView, type StreamView } from '../stream-view.js';

const API_PATHS = [
  'PUT|GET|DELETE /streamer/api/v3/streams/{name}',
  'GET /streamer/api/v3/streams',
  'GET|DELETE /streamer/api/v3/streams/{name}/dvr/ranges',
  'POST|GET|DELETE /streamer/api/v3/streams/{name}/dvr/locks',
  'GET /healthz',
];

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function secondsToIso(seconds: number | undefined): string {
  return seconds === undefined ? '—' : usToIso(seconds * 1_000_000);
}

function streamRow(view: StreamView): string {
  const error = view.state.last_error ? ` (${escapeHtml(view.state.last_error.message)})` : '';
  const cells = [
    escapeHtml(view.name),
    escapeHtml(view.title),
    `${escapeHtml(view.state.status)}${error}`,
    escapeHtml(secondsToIso(view.archive.from)),
    escapeHtml(secondsToIso(view.archive.to)),
    `${Math.round(view.archive.depth)} s`,
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

export function renderStatusPage(views: StreamView[]): string {
  const rows = views.length > 0 ? views.map(streamRow).join('\n') : '<tr><td colspan="6">No streams yet.</td></tr>';
  const paths = API_PATHS.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style>
</head><body>
<h1>Vigil</h1>
<table><thead><tr><th>Stream</th><th>Title</th><th>State</th><th>Oldest</th><th>Newest</th><th>Depth</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>API</h2>
<p>Admin calls need <code>Authorization: Bearer &lt;token&gt;</code> or HTTP Basic.</p>
<ul>
${paths}
</ul>
</body></html>
`;
}

export const statusPageRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { archive, recording }) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['ui'],
        summary: 'Status page (HTML)',
        response: { 200: Type.String({ description: 'text/html' }) },
      },
    },
    async (_request, reply) => {
      const defs = [...(await archive.listStreams())].sort((a, b) => a.name.localeCompare(b.name));
      const views = await Promise.all(defs.map((def) => streamView(def, archive, recording)));
      return reply.type('text/html; charset=utf-8').send(renderStatusPage(views));
    },
  );
};
