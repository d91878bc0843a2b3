// Many clients at once, over real sockets: duplicate creates, a burst of distinct creates, and
// deletes racing password resets must each end in one consistent state.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLocalServer, type LocalServer } from './support/local-server.ts';

vi.setConfig({ testTimeout: 60_000 });

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server!.url}/api/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server!.apiKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** What a client does with 423: wait and send again, until the answer is something else. */
async function untilNotLocked(
  send: () => Promise<Answer>,
): Promise<{ first: number; final: Answer }> {
  let answer = await send();
  const first = answer.status;
  for (let attempt = 0; answer.status === 423 && attempt < 200; attempt++) {
    await sleep(20 + Math.random() * 30);
    answer = await send();
  }
  return { first, final: answer };
}

/** A fresh project (so earlier tests' operations do not lock it) and its default branch. */
async function freshProject(operationMs: number) {
  server = await startLocalServer({
    NEON_LOCAL_OPERATION_MS: String(operationMs),
    NEON_LOCAL_SEED: '0',
  });
  const created = (
    await untilNotLocked(() => call('POST', '/projects', { project: { name: 'concurrency' } }))
  ).final;
  expect(created.status).toBe(201);
  const projectId: string = created.body.project.id;
  const branchId: string = created.body.branch.id;
  const roles = `/projects/${projectId}/branches/${branchId}/roles`;
  const listNames = async (): Promise<string[]> => {
    const res = await call('GET', roles);
    expect(res.status).toBe(200);
    return res.body.roles.map((r: { name: string }) => r.name);
  };
  const configOperations = async (): Promise<number> => {
    const res = await call('GET', `/projects/${projectId}/operations?limit=1000`);
    expect(res.status).toBe(200);
    return res.body.operations.filter(
      (o: { action: string; branch_id?: string }) =>
        o.action === 'apply_config' && o.branch_id === branchId,
    ).length;
  };
  return { projectId, branchId, roles, listNames, configOperations };
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('50 parallel creates of the same name on one branch', () => {
  it('answer exactly one 201 and 409 for the rest when no operation runs', async () => {
    const p = await freshProject(0);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => call('POST', p.roles, { role: { name: 'sally' } })),
    );
    const statuses = answers.map((a) => a.status);
    expect(count(statuses, 201)).toBe(1);
    expect(count(statuses, 409)).toBe(49);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body).toMatchObject({
        code: expect.any(String),
        message: expect.stringContaining('sally'),
      });
    }
    expect((await p.listNames()).filter((n) => n === 'sally')).toHaveLength(1);
    // The one create that won started the one operation.
    expect(await p.configOperations()).toBe(1);
  });

  it('answer one 201 and, once the 423s of running operations are retried, 409 for the rest', async () => {
    // Operations long enough that the losers may meet the winner's running operation.
    const p = await freshProject(300);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        untilNotLocked(() => call('POST', p.roles, { role: { name: 'sally' } })),
      ),
    );
    const finals = results.map((r) => r.final.status);
    expect(count(finals, 201)).toBe(1);
    expect(count(finals, 409)).toBe(49);
    expect(results.every((r) => [201, 409, 423].includes(r.first))).toBe(true);
    expect((await p.listNames()).filter((n) => n === 'sally')).toHaveLength(1);
  });
});

it('200 parallel creates of different names are all present exactly once', async () => {
  const p = await freshProject(0);
  const before = await p.listNames();
  const names = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? `Ünïcödé ${i}` : `user_${i}`));
  const answers = await Promise.all(names.map((name) => call('POST', p.roles, { role: { name } })));
  expect(answers.map((a) => a.status)).toEqual(names.map(() => 201));
  // Every answer carries its own role and a fresh password.
  expect(answers.map((a) => a.body.role.name)).toEqual(names);
  expect(new Set(answers.map((a) => a.body.role.password)).size).toBe(200);

  const after = await p.listNames();
  expect(after).toHaveLength(before.length + 200);
  expect(new Set(after).size).toBe(after.length);
  expect([...after].sort()).toEqual([...before, ...names].sort());
  expect(await p.configOperations()).toBe(200);
});

describe('deletes racing password resets', () => {
  it.each([
    ['no operation runs', 0],
    ['operations run and 423s are retried', 40],
  ])(
    'end with every user gone and one operation per change that took effect (%s)',
    async (_label, operationMs) => {
      const p = await freshProject(operationMs);
      const names = Array.from({ length: 20 }, (_, i) => `racer_${i}`);
      for (const name of names) {
        expect(
          (await untilNotLocked(() => call('POST', p.roles, { role: { name } }))).final.status,
        ).toBe(201);
      }
      const opsBefore = await p.configOperations();

      // For each user, one delete and two resets, all sent at once and in shuffled order.
      const requests = names.flatMap((name) => {
        const path = `${p.roles}/${encodeURIComponent(name)}`;
        return [
          { name, kind: 'delete' as const, send: () => call('DELETE', path) },
          { name, kind: 'reset' as const, send: () => call('POST', `${path}/reset_password`) },
          { name, kind: 'reset' as const, send: () => call('POST', `${path}/reset_password`) },
        ];
      });
      requests.sort(() => Math.random() - 0.5);
      const results = await Promise.all(
        requests.map(async (r) => ({ ...r, answer: (await untilNotLocked(r.send)).final })),
      );

      for (const r of results) {
        if (r.kind === 'delete') expect(r.answer.status, r.name).toBe(200);
        // A reset either came before the delete (200, with a password) or after it (404).
        else if (r.answer.status === 200)
          expect(r.answer.body.role.password).toEqual(expect.any(String));
        else expect(r.answer.status, r.name).toBe(404);
      }
      const remaining = await p.listNames();
      for (const name of names) {
        expect(remaining).not.toContain(name);
        expect((await call('GET', `${p.roles}/${encodeURIComponent(name)}`)).status).toBe(404);
        // A second delete finds it already gone.
        expect((await call('DELETE', `${p.roles}/${encodeURIComponent(name)}`)).status).toBe(204);
      }
      const applied = results.filter((r) => r.answer.status === 200).length;
      expect(await p.configOperations()).toBe(opsBefore + applied);
    },
  );

  it('a burst of deletes of one user: one 200, the rest 204', async () => {
    const p = await freshProject(0);
    expect((await call('POST', p.roles, { role: { name: 'solo' } })).status).toBe(201);
    const statuses = (
      await Promise.all(Array.from({ length: 20 }, () => call('DELETE', `${p.roles}/solo`)))
    ).map((a) => a.status);
    expect(count(statuses, 200)).toBe(1);
    expect(count(statuses, 204)).toBe(19);
  });
});
