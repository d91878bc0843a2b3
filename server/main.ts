import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { loadConfig, type Config } from './config.ts';
import { createApp } from './app.ts';
import { answerUnparsableRequests } from './http/unparsable-requests.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** Builds the console when the build is missing or older than its sources. */
async function ensureConsoleBuilt(config: Config, log: (line: string) => void) {
  const root = process.cwd();
  const sources = ['src', 'rules', 'index.html', 'vite.config.ts', 'public'].map((p) =>
    path.join(root, p),
  );
  if (!fs.existsSync(path.join(root, 'src'))) return;
  const built = newestMtime(path.join(config.consoleDir, 'index.html'));
  if (built && built >= Math.max(...sources.map(newestMtime))) return;
  log('Building the console (vite build)…');
  const { build } = await import('vite');
  await build({ root, logLevel: 'warn', build: { outDir: config.consoleDir, emptyOutDir: true } });
}

async function main() {
  const config = loadConfig();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (process.env.NEON_LOCAL_SKIP_BUILD !== '1') await ensureConsoleBuilt(config, log);
  const server = createApp(config, config.quiet ? () => {} : log);
  if (!LOOPBACK.has(config.host)) {
    log(
      `WARNING: listening on ${config.host}, beyond this machine's loopback. Anyone who can reach it and knows the key can change your data; ` +
        'add the names people use to reach it to NEON_LOCAL_ALLOWED_HOSTS.',
    );
  }
  const httpServer = serve(
    { fetch: server.app.fetch, hostname: config.host, port: config.port },
    (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      const url = `http://${host}:${info.port}`;
      log(`Neon Users console: ${url}`);
      log(
        `Neon API v2:        ${url}/api/v2 (${config.upstreamUrl ? `forwarded to ${config.upstreamUrl}` : `local, data in ${config.dataDir}`})`,
      );
      if (server.generatedKey) log(`API key:            ${server.apiKey}`);
      else log('API key:            the one in NEON_API_KEY (not printed)');
      void server.keyCheck?.run().then((result) => log(`Neon key:           ${result.sentence}`));
    },
  );
  answerUnparsableRequests(httpServer as Server);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    httpServer.close();
    // Every Postgres this server started stops before the process ends (fast shutdown).
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`stopping the computes: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
