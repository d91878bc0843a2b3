// What the server gives away and to whom: Host allowlist (DNS rebinding), cross-site changes,
// the API key and passwords (responses, page, logs, bundle), page headers, the Neon-mode
// proxy (no open proxy, no SSRF), body and rate limits, and the fault-injection endpoint.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import { send, sendBytes, type Raw } from './support/raw-http.ts';

vi.setConfig({ testTimeout: 30_000 });

const KEY = 'neon_test_key_S3cr3t_9f2c71d04b8e';

const servers: LocalServer[] = [];
const others: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(others.map((s) => new Promise((r) => s.close(r))));
});

async function start(
  env: Record<string, string> = {},
  log?: (line: string) => void,
): Promise<LocalServer> {
  const server = await startLocalServer({ NEON_API_KEY: KEY, ...env }, log);
  servers.push(server);
  return server;
}

const auth = { authorization: `Bearer ${KEY}` };

function expectNeonError(res: Raw, status: number) {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  const body = JSON.parse(res.text);
  expect(body).toMatchObject({
    code: expect.any(String),
    message: expect.any(String),
    request_id: expect.any(String),
  });
  return body as { code: string; message: string };
}

async function demoIds(s: LocalServer) {
  const projects = JSON.parse(
    (await send(s.url, 'GET', '/api/v2/projects', { headers: auth })).text,
  ).projects;
  const project = projects[0].id as string;
  const branches = JSON.parse(
    (await send(s.url, 'GET', `/api/v2/projects/${project}/branches`, { headers: auth })).text,
  ).branches;
  const main = branches.find((b: { default: boolean }) => b.default).id as string;
  return { project, main, roles: `/api/v2/projects/${project}/branches/${main}/roles` };
}

describe('Host allowlist (DNS rebinding)', () => {
  let s: LocalServer;
  beforeAll(async () => {
    s = await start({ NEON_LOCAL_ALLOWED_HOSTS: 'console.test' });
  });

  it.each([
    'evil.example',
    'evil.example:80',
    'localhost.evil.example',
    '127.0.0.1.evil.example',
    'console.test.evil.example',
  ])('refuses Host %s, for the API and the page', async (host) => {
    expectNeonError(
      await send(s.url, 'GET', '/api/v2/users/me', { headers: { ...auth, host } }),
      403,
    );
    const page = await send(s.url, 'GET', '/', { headers: { host } });
    expect(page.status).toBe(403);
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a request with no Host at all', async () => {
    const res = await sendBytes(
      s.url,
      `GET /api/v2/users/me HTTP/1.0\r\nAuthorization: Bearer ${KEY}`,
    );
    expect(res.status).toBe(403);
  });

  it('refuses an absolute request target naming another host', async () => {
    const url = new URL(s.url);
    const res = await sendBytes(
      s.url,
      `GET http://evil.example/api/v2/users/me HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${KEY}`,
    );
    expect(res.status).toBe(403);
  });

  it('checks an absolute request target even when its Host header was served before', async () => {
    const url = new URL(s.url);
    const ok = await sendBytes(
      s.url,
      `GET /api/v2/users/me HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${KEY}`,
    );
    expect(ok.status).toBe(200);
    const res = await sendBytes(
      s.url,
      `GET http://evil.example/api/v2/users/me HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${KEY}`,
    );
    expect(res.status).toBe(403);
  });

  it.each(['localhost', '127.0.0.1', '[::1]', 'console.test'])(
    'serves Host %s (with its port)',
    async (name) => {
      const port = new URL(s.url).port;
      const res = await send(s.url, 'GET', '/api/v2/users/me', {
        headers: { ...auth, host: `${name}:${port}` },
      });
      expect(res.status).toBe(200);
    },
  );
});

describe('cross-site changes', () => {
  let s: LocalServer;
  let roles: string;
  beforeAll(async () => {
    s = await start();
    roles = (await demoIds(s)).roles;
  });
  const names = async () =>
    JSON.parse((await send(s.url, 'GET', roles, { headers: auth })).text).roles.map(
      (r: { name: string }) => r.name,
    );

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null', { origin: 'null' }],
    ['an Origin on another port', { origin: 'http://127.0.0.1:1' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a create, a delete and a reset carrying %s', async (_what, headers) => {
    const before = await names();
    const cookie = { cookie: s.sessionCookie };
    expectNeonError(
      await send(s.url, 'POST', roles, {
        headers: { ...cookie, ...headers },
        body: JSON.stringify({ role: { name: 'csrf' } }),
      }),
      403,
    );
    expectNeonError(
      await send(s.url, 'DELETE', `${roles}/casey`, { headers: { ...cookie, ...headers } }),
      403,
    );
    expectNeonError(
      await send(s.url, 'POST', `${roles}/sally/reset_password`, {
        headers: { ...auth, ...headers },
      }),
      403,
    );
    expect(await names()).toEqual(before);
  });

  it('accepts the same change from its own page, and never grants cross-origin reads', async () => {
    const origin = s.url;
    const res = await send(s.url, 'POST', roles, {
      headers: { cookie: s.sessionCookie, origin, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ role: { name: 'same_origin_user' } }),
    });
    expect(res.status).toBe(201);
    const read = await send(s.url, 'GET', roles, {
      headers: { cookie: s.sessionCookie, origin: 'https://evil.example' },
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await send(s.url, 'OPTIONS', roles, {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the API key and passwords', () => {
  const logs: string[] = [];
  const seen: Raw[] = [];
  let s: LocalServer;
  let roles: string;
  const passwords = new Set<string>();

  beforeAll(async () => {
    s = await start({}, (line) => logs.push(line));
    roles = (await demoIds(s)).roles;
    const go = async (
      method: string,
      p: string,
      options: { headers?: Record<string, string>; body?: string } = {},
    ) => {
      const res = await send(s.url, method, p, {
        ...options,
        headers: { ...auth, ...options.headers },
      });
      seen.push(res);
      return res;
    };
    // A session's worth of traffic, errors included.
    const created = await go('POST', roles, {
      body: JSON.stringify({ role: { name: 'secret_keeper' } }),
    });
    passwords.add(JSON.parse(created.text).role.password);
    const reset = await go('POST', `${roles}/secret_keeper/reset_password`);
    passwords.add(JSON.parse(reset.text).role.password);
    await go('GET', `${roles}/secret_keeper/reveal_password`);
    await go('GET', roles);
    await go('GET', `${roles}/secret_keeper`);
    const project = JSON.parse(
      (await go('POST', '/api/v2/projects', { body: JSON.stringify({ project: {} }) })).text,
    );
    for (const r of project.roles) if (r.password) passwords.add(r.password);
    const branch = JSON.parse(
      (
        await go('POST', `/api/v2/projects/${project.project.id}/branches`, {
          body: JSON.stringify({ endpoints: [{ type: 'read_write' }] }),
        })
      ).text,
    );
    expect(branch.connection_uris.length).toBeGreaterThan(0);
    await go('POST', roles, { body: JSON.stringify({ role: { name: 'secret_keeper' } }) }); // 409
    await go('GET', '/api/v2/users/me', { headers: { authorization: `Bearer ${KEY}x` } }); // 401
    await go('GET', '/api/v2/users/me', {
      headers: { authorization: '', cookie: `zenith=${KEY}; keycloak_token=${KEY}` },
    });
    await go('POST', roles, { body: '{"role":' }); // 400
    await go('GET', '/api/v2/no/such/thing');
    await go('GET', '/', { headers: { authorization: '' } });
    await go('GET', '/projects/x/settings/users?branch=br-x', { headers: { authorization: '' } });
    await go('DELETE', `${roles}/secret_keeper`);
  });

  it('the key is in no response (body or headers) and no log line', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const res of seen) {
      expect(res.text).not.toContain(KEY);
      expect(JSON.stringify(res.headers)).not.toContain(KEY);
    }
    expect(logs.length).toBeGreaterThanOrEqual(seen.length);
    expect(logs.join('\n')).not.toContain(KEY);
  });

  it('passwords are in no log line, and every response carrying one says Cache-Control: no-store', () => {
    expect(passwords.size).toBeGreaterThanOrEqual(3);
    const log = logs.join('\n');
    for (const password of passwords) expect(log).not.toContain(password);
    const carrying = seen.filter((res) => /"password"\s*:|postgresql:\/\//.test(res.text));
    expect(carrying.length).toBeGreaterThanOrEqual(5);
    for (const res of carrying) expect(res.headers['cache-control']).toBe('no-store');
    // Lists and single reads never carry one.
    for (const res of seen.filter(
      (r) => r.status === 200 && r.text.includes('"roles"') && !r.text.includes('"operations"'),
    )) {
      // The key, not the value: authentication_method is "password" on every such role.
      expect(res.text).not.toMatch(/"password"\s*:/);
    }
  });

  it('the page carries the session cookie (HttpOnly, SameSite=Strict), not the key', async () => {
    const page = await send(s.url, 'GET', '/');
    expect(page.text).not.toContain(KEY);
    if (page.status === 200) {
      const cookie = String(page.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).not.toContain(KEY);
    }
  });
});

describe('page and API headers', () => {
  let s: LocalServer;
  beforeAll(async () => {
    s = await start();
  });

  it.each(['/', '/projects/any/settings/users?branch=br-x'])(
    'the page %s carries its CSP and the hardening headers',
    async (p) => {
      const res = await send(s.url, 'GET', p, { headers: auth });
      const csp = String(res.headers['content-security-policy']);
      for (const directive of [
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "default-src 'self'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    },
  );

  it.each(['/api/v2/users/me', '/api/v2/nope', '/__neon-local/faults'])(
    'the API answer %s allows nothing to run or frame it, and is not sniffed',
    async (p) => {
      const res = await send(s.url, 'GET', p, { headers: auth });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    },
  );

  it.skipIf(!fs.existsSync(path.join('dist', 'index.html')))(
    'the page has no inline script the CSP would have to allow',
    async () => {
      const page = await send(s.url, 'GET', '/');
      expect(page.status).toBe(200);
      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/\bsrc="\/assets\//);
        expect(body!.trim()).toBe('');
      }
      expect(page.text).not.toMatch(/\son[a-z]+="/i);
    },
  );
});

describe('the built bundle', () => {
  // Runs when the console has been built (`npm run build`); the e2e suite builds it too.
  it.skipIf(!fs.existsSync(path.join('dist', 'index.html')))('holds no API key', () => {
    const files = fs
      .readdirSync('dist', { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile());
    const text = files
      .map((f) => fs.readFileSync(path.join(f.parentPath, f.name), 'latin1'))
      .join('\n');
    // Keys the local server generates, and any key given to this process.
    expect(text).not.toMatch(/neon_local_[A-Za-z0-9_-]{20,}/);
    for (const key of [process.env.NEON_API_KEY, KEY, 'test-api-key']) {
      if (key && key.length >= 8) expect(text).not.toContain(key);
    }
    expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{16,}/);
  });
});

describe('Neon mode: the proxy to a real upstream', () => {
  const upstreamKey = 'upstream-key-7Hq2LmZx9c';
  let upstream: LocalServer;
  let proxy: LocalServer;
  const upstreamLog: string[] = [];
  /** A server nothing may ever reach: the target of every trick. */
  let elsewhereHits = 0;
  let elsewhere = '';
  /** A fake upstream that records exactly what the proxy sends it. */
  const recorded: http.IncomingHttpHeaders[] = [];
  let recorder: LocalServer;
  let recorderAnswer: { status: number; headers?: Record<string, string>; body?: string } = {
    status: 200,
    body: '{}',
  };

  const listen = (handler: http.RequestListener) =>
    new Promise<string>((resolve) => {
      const server = http.createServer(handler);
      others.push(server);
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      );
    });

  beforeAll(async () => {
    upstream = await start({ NEON_API_KEY: upstreamKey, NEON_LOCAL_FAULTS: '1' }, (line) =>
      upstreamLog.push(line),
    );
    proxy = await start({ NEON_API_URL: `${upstream.url}/api/v2`, NEON_API_KEY: upstreamKey });
    elsewhere = await listen((_req, res) => {
      elsewhereHits++;
      res.end('{}');
    });
    const recorderUrl = await listen((req, res) => {
      recorded.push({ ...req.headers, ':path': req.url });
      res.writeHead(recorderAnswer.status, {
        'content-type': 'application/json',
        ...recorderAnswer.headers,
      });
      res.end(recorderAnswer.body ?? '');
    });
    recorder = await start({ NEON_API_URL: `${recorderUrl}/api/v2`, NEON_API_KEY: upstreamKey });
  });

  const viaProxy = (
    method: string,
    p: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ) =>
    send(proxy.url, method, p, {
      ...options,
      headers: { cookie: proxy.sessionCookie, ...options.headers },
    });

  it('forwards /api/v2 with the upstream key added, and the answers come back', async () => {
    const res = await viaProxy('GET', '/api/v2/projects');
    expect(res.status).toBe(200);
    const project = JSON.parse(res.text).projects[0].id;
    expect(upstreamLog.some((l) => l.startsWith('GET /api/v2/projects 200'))).toBe(true);
    const created = await viaProxy('POST', `/api/v2/projects/${project}/branches`, {
      body: JSON.stringify({ branch: { name: 'via-proxy' } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
  });

  it('sends the upstream only its key and the request, never the caller’s credentials or cookies', async () => {
    recorded.length = 0;
    recorderAnswer = { status: 200, body: '{"ok":true}' };
    const res = await send(recorder.url, 'GET', '/api/v2/projects?limit=5', {
      headers: {
        authorization: `Bearer ${upstreamKey}`,
        cookie: `${recorder.sessionCookie}; other=1`,
        'x-request-id': 'trace-1',
        'x-forwarded-host': 'evil.example',
      },
    });
    expect(res.status).toBe(200);
    expect(recorded).toHaveLength(1);
    const sent = recorded[0]!;
    expect(sent[':path']).toBe('/api/v2/projects?limit=5');
    expect(sent.authorization).toBe(`Bearer ${upstreamKey}`);
    expect(sent.cookie).toBeUndefined();
    expect(sent['x-forwarded-host']).toBeUndefined();
    expect(sent['x-request-id']).toBe('trace-1');
  });

  it('passes upstream errors through: 404, 409, and 429 with Retry-After', async () => {
    const project = JSON.parse((await viaProxy('GET', '/api/v2/projects')).text).projects[0].id;
    const branches = JSON.parse(
      (await viaProxy('GET', `/api/v2/projects/${project}/branches`)).text,
    ).branches;
    const roles = `/api/v2/projects/${project}/branches/${branches.find((b: { default: boolean }) => b.default).id}/roles`;
    expect(expectNeonError(await viaProxy('GET', `${roles}/nobody`), 404).message).toMatch(
      /^role not found for branch; /,
    );
    expectNeonError(
      await viaProxy('POST', roles, { body: JSON.stringify({ role: { name: 'casey' } }) }),
      409,
    );
    const armed = await send(upstream.url, 'POST', '/__neon-local/faults', {
      headers: { authorization: `Bearer ${upstreamKey}` },
      body: JSON.stringify({ path: '/users/me', status: 429, retry_after: 7 }),
    });
    expect(armed.status).toBe(201);
    const limited = await viaProxy('GET', '/api/v2/users/me');
    expectNeonError(limited, 429);
    expect(limited.headers['retry-after']).toBe('7');
  });

  it('does not follow an upstream redirect, and says when the upstream cannot be reached', async () => {
    recorderAnswer = { status: 302, headers: { location: `${elsewhere}/steal` } };
    expectNeonError(
      await send(recorder.url, 'GET', '/api/v2/projects', {
        headers: { authorization: `Bearer ${upstreamKey}` },
      }),
      502,
    );
    const dead = await start({
      NEON_API_URL: 'http://127.0.0.1:1/api/v2',
      NEON_API_KEY: upstreamKey,
    });
    expectNeonError(
      await send(dead.url, 'GET', '/api/v2/projects', {
        headers: { authorization: `Bearer ${upstreamKey}` },
      }),
      502,
    );
    expect(elsewhereHits).toBe(0);
  });

  it('sends an absolute URL naming another port of this machine to the configured upstream, never there', async () => {
    const head = `GET ${elsewhere}/api/v2/users/me HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\nCookie: ${proxy.sessionCookie}`;
    const res = await sendBytes(proxy.url, head);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).login).toEqual(expect.any(String));
    expect(elsewhereHits).toBe(0);
  });

  // Each is refused (4xx) or, once the URL is normalised to a path outside /api/v2, answered
  // with the console's page; none is forwarded anywhere but /api/v2 of the configured upstream.
  it.each([
    ['an absolute URL to another host', () => 'http://evil.example/api/v2/users/me'],
    ['dot segments out of /api/v2', () => '/api/v2/../../steal'],
    ['encoded dot segments', () => '/api/v2/%2e%2e/%2E%2E/steal'],
    ['encoded slashes', () => '/api/v2/projects%2F..%2F..%2Fsteal'],
    ['an encoded backslash', () => '/api/v2/projects%5C..%5Csteal'],
    ['a backslash', () => '/api/v2/projects\\..\\..\\steal'],
    ['a protocol-relative path', () => `//${new URL(elsewhere).host}/api/v2/users/me`],
    ['an @ to smuggle a host', () => `/api/v2@${new URL(elsewhere).host}/users/me`],
    ['CRLF to inject a header', () => '/api/v2/users/me%0d%0aHost:%20evil.example'],
    ['a path outside /api/v2', () => '/api/v3/projects'],
  ])('does not forward %s', async (_what, target) => {
    const before = upstreamLog.length;
    const head = `GET ${target()} HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\nCookie: ${proxy.sessionCookie}`;
    const res = await sendBytes(proxy.url, head);
    if (res.status < 400) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    } else expect(res.status).toBeLessThan(500);
    expect(elsewhereHits).toBe(0);
    expect(upstreamLog.slice(before)).toEqual([]);
  });
});

describe('limits', () => {
  it('refuses a body over NEON_LOCAL_MAX_BODY_BYTES with 413, and serves the next request', async () => {
    const s = await start({ NEON_LOCAL_MAX_BODY_BYTES: '1000' });
    const { roles } = await demoIds(s);
    const body = JSON.stringify({ role: { name: 'x' }, padding: 'p'.repeat(2000) });
    expectNeonError(await send(s.url, 'POST', roles, { headers: auth, body }), 413);
    const small = JSON.stringify({ role: { name: 'small_enough' } });
    expect((await send(s.url, 'POST', roles, { headers: auth, body: small })).status).toBe(201);
  });
});

describe('the fault-injection endpoint', () => {
  const fault = JSON.stringify({ path: '/users/me', status: 503 });

  it('is refused unless the server was started with NEON_LOCAL_FAULTS=1', async () => {
    const s = await start();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await send(s.url, method, '/__neon-local/faults', {
        headers: auth,
        body: method === 'POST' ? fault : undefined,
      });
      expect(expectNeonError(res, 403).message).toMatch(/NEON_LOCAL_FAULTS/);
    }
    expect((await send(s.url, 'GET', '/api/v2/users/me', { headers: auth })).status).toBe(200);
  });

  it('when enabled, still needs the key and refuses cross-site requests', async () => {
    const s = await start({ NEON_LOCAL_FAULTS: '1' });
    expectNeonError(await send(s.url, 'POST', '/__neon-local/faults', { body: fault }), 401);
    expectNeonError(
      await send(s.url, 'POST', '/__neon-local/faults', {
        headers: { ...auth, origin: 'https://evil.example' },
        body: fault,
      }),
      403,
    );
    expect((await send(s.url, 'GET', '/api/v2/users/me', { headers: auth })).status).toBe(200);
    expect(
      (await send(s.url, 'POST', '/__neon-local/faults', { headers: auth, body: fault })).status,
    ).toBe(201);
    expectNeonError(await send(s.url, 'GET', '/api/v2/users/me', { headers: auth }), 503);
  });
});
