import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSmoke, smokeUserName } from '../scripts/smoke-neon.ts';
import { NeonStandIn } from './support/neon-standin.ts';

const KEY = 'napi_smoke_test_key_7fGh2KqLm9Xw0PzR4TbN6YcV1Ds8Ju3E';
const NOW = new Date('2026-05-04T03:02:01Z');

let standIn: NeonStandIn;
let project: { id: string; mainBranchId: string };

beforeEach(async () => {
  standIn = new NeonStandIn({ keys: { [KEY]: { kind: 'personal' } }, operationMs: 50 });
  const org = standIn.addOrganization('Acme');
  project = standIn.addProject(org, 'smoke-target');
  standIn.addRole(project.id, project.mainBranchId, 'alice');
  standIn.addBranch(project.id, 'dev');
  await standIn.start();
});
afterEach(() => standIn.close());

describe('npm run smoke:neon', () => {
  it('lists, then creates, resets and deletes only its own throwaway user', async () => {
    const before = standIn.roleNames(project.mainBranchId);
    const lines: string[] = [];
    const result = await runSmoke({
      apiUrl: standIn.apiUrl,
      apiKey: KEY,
      projectId: project.id,
      print: (line) => lines.push(line),
      now: NOW,
      retryDelayMs: 20,
    });
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['key', true],
      ['organizations', true],
      ['project', true],
      ['projects', true],
      ['branches', true],
      ['users', true],
      ['create', true],
      ['reset password', true],
      ['delete', true],
    ]);
    expect(result.ok).toBe(true);
    expect(lines.join('\n')).toContain('api_key_user');
    expect(lines.join('\n')).toContain('Acme');
    expect(lines.join('\n')).toContain('2; using main');
    expect(lines.join('\n')).not.toContain(KEY);

    const name = smokeUserName(NOW);
    expect(name).toBe('console_smoke_20260504030201');
    // Other users untouched; every change was to the throwaway user only.
    expect(standIn.roleNames(project.mainBranchId)).toEqual(before);
    const changes = standIn.requests.filter((r) => r.method !== 'GET');
    const creates = changes.filter((r) => r.method === 'POST' && r.url.endsWith('/roles'));
    // The stand-in refuses each project's first change with 423: sent again, once.
    expect(creates).toHaveLength(2);
    const rest = changes.filter((r) => !creates.includes(r));
    expect(rest.every((r) => new RegExp(`/roles/${name}(/reset_password)?$`).test(r.url))).toBe(
      true,
    );
    expect(rest.some((r) => r.method === 'POST' && r.url.endsWith('/reset_password'))).toBe(true);
    expect(rest.at(-1)!.method).toBe('DELETE');
    expect(standIn.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('says so in its steps when the key is refused, and changes nothing', async () => {
    const lines: string[] = [];
    const result = await runSmoke({
      apiUrl: standIn.apiUrl,
      apiKey: 'napi_wrong',
      projectId: project.id,
      print: (line) => lines.push(line),
      retryDelayMs: 1,
    });
    expect(result.ok).toBe(false);
    expect(lines).toEqual([expect.stringMatching(/^✗ key: GET \/auth: 401 /)]);
    expect(standIn.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses to run without an explicit project id, before any request', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/smoke-neon.ts'], {
      env: { ...process.env, NEON_API_KEY: KEY, NEON_API_URL: standIn.apiUrl },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('needs an explicit project');
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(standIn.requests).toEqual([]);
  });
});
