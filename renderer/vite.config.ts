import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/** `npm run dev -w renderer` proxies /api to a running node (SHOAL_DEV_API, default http://127.0.0.1:8050). */
const devApi = globalThis.process?.env.SHOAL_DEV_API ?? 'http://127.0.0.1:8050';

export default defineConfig({
  // Relative asset paths: the same build is served by a node at / and loaded from file:// by the desktop app.
  base: './',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': { target: devApi } } },
});
