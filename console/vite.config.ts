import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console is a static bundle: hashed assets under /assets (served immutable) and an
 * index.html that is never cached. Every route is its own chunk so the sign-in page does not
 * carry the dashboard's charts.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The CSP forbids inline scripts, so the module preload helper must not be inlined either.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
