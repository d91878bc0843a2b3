import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    // `npm run dev`: the API (and its session cookie) come from the real server.
    proxy: { '/api': { target: 'http://127.0.0.1:4000', changeOrigin: false } },
  },
  build: {
    // dist/.vite/manifest.json: the bundle budget (npm test) and `npm run bench` read the users page's chunks from it.
    manifest: true,
    rolldownOptions: {
      treeshake: {
        // @neon/sdk/raw wraps each of its ~180 endpoints with `wrapRaw(fn)` at module
        // level; the calls are pure but not annotated, so without this every endpoint
        // (≈25 KiB gzip) would ship although the console uses nine.
        manualPureFunctions: ['wrapRaw'],
      },
      output: {
        advancedChunks: {
          // One long-cached vendor chunk for what every page needs; Radix stays with the
          // lazily loaded dialogs.
          groups: [
            {
              name: 'vendor',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser|@tanstack|@neon)[\\/]/,
            },
          ],
        },
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'page',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
          setupFiles: ['src/test/setup.ts'],
          // Page tests drive a real server and type like a user: give slow CI machines room.
          testTimeout: 20_000,
        },
      },
    ],
  },
});
