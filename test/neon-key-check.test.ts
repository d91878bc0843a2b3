import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './support/computes.ts';
import { NeonStandIn } from './support/neon-standin.ts';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import { NeonKeyCheck } from '../server/neon/key-check.ts';

const GOOD_KEY = 'napi_keycheck_good_5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6N';
const BAD_KEY = 'napi_keycheck_bad_8Qw1Er3Ty5Ui7Op9As2Df4Gh6Jk8Lz0X';

/** `npm start` as a user runs it (the real server/main.ts), until it has said what it thinks of the key. */
const startServer = (env: Record<string, string>) =>
  startServerProcess(':memory:', { NEON_LOCAL_COMPUTES: '0', ...env }, { until: /Neon key:.*\n/ });

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const keyLines = (output: string) => output.split('\n').filter((l) => l.startsWith('Neon key:'));

let standIn: NeonStandIn | undefined;
let server: ServerProcess | undefined;
let local: LocalServer | undefined;
afterEach(async () => {
  await server?.stop();
  await standIn?.close();
  await local?.close();
  server = standIn = local = undefined;
});

async function neon() {
  standIn = new NeonStandIn({ keys: {} });
  const org = standIn.addOrganization('Acme');
  standIn.options.keys[GOOD_KEY] = { kind: 'organization', orgId: org };
  await standIn.start();
  return { standIn, org };
}

describe('npm start in Neon mode checks the key', () => {
  it('a refused key: one clear line, and the API answers that same sentence without asking Neon again', async () => {
    const { standIn } = await neon();
    server = await startServer({ NEON_API_URL: standIn.apiUrl, NEON_API_KEY: BAD_KEY });
    const lines = keyLines(server.output());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `Neon key:           The Neon API at ${standIn.url} refused the key in NEON_API_KEY (401: authorization failed); restart the server with a valid key.`,
    );
    expect(server.output()).not.toContain(BAD_KEY);

    const asked = standIn.requests.length;
    const answer = await fetch(`${server.url}/api/v2/projects`, {
      headers: { authorization: `Bearer ${BAD_KEY}` },
    });
    expect(answer.status).toBe(401);
    const body = (await answer.json()) as { message: string };
    expect(`Neon key:           ${body.message}`).toBe(lines[0]);
    expect(JSON.stringify(body)).not.toContain(BAD_KEY);
    expect(standIn.requests.length).toBe(asked);
  });

  it('an unreachable Neon: one line, the server still serves', async () => {
    const port = await closedPort();
    server = await startServer({
      NEON_API_URL: `http://127.0.0.1:${port}/api/v2`,
      NEON_API_KEY: BAD_KEY,
    });
    expect(keyLines(server.output())).toEqual([
      `Neon key:           The Neon API at http://127.0.0.1:${port} could not be reached (ECONNREFUSED); check NEON_API_URL and the network. The console will say so until it can.`,
    ]);
    const answer = await fetch(`${server.url}/api/v2/projects`, {
      headers: { authorization: `Bearer ${BAD_KEY}` },
    });
    expect(answer.status).toBe(502);
    expect(server.output()).not.toContain(BAD_KEY);
  });

  it('an accepted key says whose it is', async () => {
    const { standIn, org } = await neon();
    server = await startServer({ NEON_API_URL: standIn.apiUrl, NEON_API_KEY: GOOD_KEY });
    expect(keyLines(server.output())).toEqual([
      `Neon key:           accepted by ${standIn.url}: an organization or project-scoped key of ${org}`,
    ]);
    expect(server.output()).not.toContain(GOOD_KEY);
  });

  it('in front of our own local API (no GET /auth yet, or with it), the key is accepted', async () => {
    local = await startLocalServer({ NEON_API_KEY: GOOD_KEY });
    server = await startServer({ NEON_API_URL: `${local.url}/api/v2`, NEON_API_KEY: GOOD_KEY });
    expect(keyLines(server.output())).toEqual([
      expect.stringMatching(new RegExp(`^Neon key: {11}accepted by ${local.url}`)),
    ]);
  });
});

describe('NeonKeyCheck', () => {
  const answer = (status: number, body: unknown) => async () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('a 403 is a refusal too, and an upstream that echoes the key does not get it printed', async () => {
    const check = new NeonKeyCheck(
      'https://neon.example/api/v2',
      BAD_KEY,
      answer(403, { code: '', message: `key ${BAD_KEY} is revoked` }),
    );
    const result = await check.run();
    expect(result.state).toBe('refused');
    expect(result.sentence).toBe(
      'The Neon API at https://neon.example refused the key in NEON_API_KEY (403: key … is revoked); restart the server with a valid key.',
    );
  });

  it('another status leaves the key unchecked and the API forwarding', async () => {
    const check = new NeonKeyCheck(
      'https://neon.example/api/v2',
      GOOD_KEY,
      answer(500, { code: '', message: 'internal error' }),
    );
    expect(await check.run()).toEqual({
      state: 'unknown',
      sentence:
        'not checked: the Neon API at https://neon.example answered 500 (internal error) to who the key belongs to.',
    });
  });
});
