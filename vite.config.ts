import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const API_SERVER = process.env.NEON_CONSOLE_API_SERVER ?? 'http://127.0.0.1:4000';

/**
 * `npm run dev`: Vite serves the page, but the session cookie that authorises the page's
 * API calls is handed out by our server with its own HTML. Relay it, so the dev page is
 * authorised exactly like the served one and no API key is ever put into the browser.
 */
function relaySessionCookie(): Plugin {
  return {
    name: 'relay-session-cookie',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        if (req.method === 'GET' && req.headers.accept?.includes('text/html')) {
          try {
            const page = await fetch(`${API_SERVER}/`, { headers: { accept: 'text/html' } });
            const cookies = page.headers.getSetCookie();
            if (cookies.length > 0) res.setHeader('set-cookie', cookies);
          } catch {
            server.config.logger.warn(
              `No API server at ${API_SERVER}: start it with \`npm start\`.`,
            );
          }
        }
        next();
      });
    },
  };
}

/**
 * Writes a .br and a .gz beside each built script and style sheet, which the server sends
 * as they are (server/http/console.ts) instead of compressing the same bytes on every
 * cold load: the vendor chunk took 10–20 ms of the server's CPU to gzip per request.
 */
function precompressAssets(): Plugin {
  return {
    name: 'precompress-assets',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css)$/.test(fileName)) continue;
        const file = path.join(options.dir!, fileName);
        const source = fs.readFileSync(file);
        if (source.length < 1024) continue; // what the server's compress() also leaves alone
        fs.writeFileSync(`${file}.gz`, gzipSync(source, { level: 9 }));
        // Quality 10: the vendor chunk 2 % larger than at 11, in 0.4 s instead of 1 s.
        fs.writeFileSync(
          `${file}.br`,
          brotliCompressSync(source, { params: { [zlib.BROTLI_PARAM_QUALITY]: 10 } }),
        );
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), relaySessionCookie(), precompressAssets()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    // `npm run dev`: the API (and its session cookie) come from the real server.
    proxy: { '/api': { target: API_SERVER, changeOrigin: false } },
  },
  build: {
    // No modulepreload polyfill (≈ 0.2 KiB gzip of the entry chunk): browsers without
    // modulepreload (Safari < 17, Firefox < 115) only fetch the chunks when the entry asks.
    modulePreload: { polyfill: false },
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
        // Chromium's explicit compile hint: V8 compiles the dialogs' functions as the chunk
        // loads (after first paint) instead of on the first click that runs them.
        postBanner: (chunk) => (chunk.name === 'open-dialog' ? '//# allFunctionsCalledOnLoad' : ''),
        codeSplitting: {
          // One long-cached vendor chunk for what every page needs; Radix stays with the
          // lazily loaded dialogs, as do mutations (only dialogs change anything); infinite
          // queries stay with the lazily loaded projects page.
          groups: [
            {
              name: 'vendor',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser|@tanstack|@neon)[\\/](?!.*(useInfiniteQuery|infiniteQueryObserver|useMutation|mutationObserver))/,
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
