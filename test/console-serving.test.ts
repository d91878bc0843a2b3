import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startLocalServer, type LocalServer } from './support/local-server.ts';

// A console build as vite.config.ts writes it: a chunk with its .br and .gz, and one without.
const SCRIPT = `export const rows = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `user_${i}`))};\n`;

describe('the console', () => {
  let consoleDir: string;
  let server: LocalServer;

  beforeAll(async () => {
    consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-assets-'));
    fs.mkdirSync(path.join(consoleDir, 'assets'));
    fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>t</title>');
    const chunk = path.join(consoleDir, 'assets', 'page-abc123.js');
    fs.writeFileSync(chunk, SCRIPT);
    fs.writeFileSync(`${chunk}.br`, brotliCompressSync(SCRIPT));
    fs.writeFileSync(`${chunk}.gz`, gzipSync(SCRIPT));
    fs.writeFileSync(path.join(consoleDir, 'assets', 'plain-abc123.js'), SCRIPT);
    server = await startLocalServer({ NEON_LOCAL_CONSOLE_DIR: consoleDir });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(consoleDir, { recursive: true, force: true });
  });

  // Over a real socket, with the body as sent (no client decoding it).
  const get = (target: string, acceptEncoding?: string) =>
    new Promise<{ res: http.IncomingMessage; body: Buffer }>((resolve, reject) => {
      const headers = acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {};
      http
        .get(`${server.url}${target}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });

  it('sends scripts as the build compressed them: brotli, else gzip, else as they are', async () => {
    const br = await get('/assets/page-abc123.js', 'gzip, deflate, br');
    expect(br.res.statusCode).toBe(200);
    expect(br.res.headers['content-encoding']).toBe('br');
    expect(br.res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(br.res.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);

    const gz = await get('/assets/page-abc123.js', 'gzip, deflate');
    expect(gz.res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get('/assets/page-abc123.js');
    expect(plain.res.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('compresses a script without a compressed copy as it sends it', async () => {
    const { res, body } = await get('/assets/plain-abc123.js', 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(body).toString()).toBe(SCRIPT);
  });

  // The browser fetches these beside the scripts; e2e/browse.spec.ts proves the page uses them.
  it("names the users page's first reads as preloads of its HTML, with the default branch or the URL's", async () => {
    const api = (p: string) =>
      fetch(`${server.url}/api/v2${p}`, {
        headers: { Authorization: `Bearer ${server.apiKey}` },
      }).then((r) => r.json() as Promise<Record<string, { id: string; default?: boolean }[]>>);
    const projectId = (await api('/projects')).projects![0]!.id;
    const branches = (await api(`/projects/${projectId}/branches`)).branches!;
    const main = branches.find((b) => b.default)!.id;
    const other = branches.find((b) => !b.default)!.id;
    const links = async (target: string) => {
      const { res } = await get(target);
      expect(res.statusCode).toBe(200);
      return res.headers.link;
    };
    const preloads = (branchId: string) =>
      [
        `/api/v2/projects/${projectId}`,
        `/api/v2/projects/${projectId}/branches?limit=100`,
        `/api/v2/projects/${projectId}/operations?limit=100`,
        `/api/v2/projects/${projectId}/branches/${branchId}/roles`,
        `/api/v2/projects/${projectId}/branches/${branchId}/databases`,
      ]
        .map((url) => `<${url}>; rel=preload; as=fetch; crossorigin`)
        .join(', ');

    expect(await links(`/projects/${projectId}/settings/users`)).toBe(preloads(main));
    expect(await links(`/projects/${projectId}/settings/users?branch=${other}`)).toBe(
      preloads(other),
    );
    // A branch id not shaped as one: the project's reads only.
    expect(await links(`/projects/${projectId}/settings/users?branch=%3Cx%3E`)).toBe(
      preloads('').split(', ').slice(0, 3).join(', '),
    );
    expect(await links('/')).toBeUndefined();
    expect(await links(`/projects/${projectId}/settings/users/extra`)).toBeUndefined();
  });
});
