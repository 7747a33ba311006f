/**
 * Builds the web UI into web/dist, which the server hands out at `/`.
 * `npm run build:web` runs it; JSX goes to Preact through Vite's own transform.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // hls.js is most of the bundle; one chunk keeps the first load to two requests.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `vite --config web/vite.config.ts` beside `npm run serve`: the API and media come from Vigil.
    proxy: { '^/(?!@|src/|node_modules/).+': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
