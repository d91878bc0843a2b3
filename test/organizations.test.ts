// The local account's organization: its settings, and stores written before organizations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { inProcessApi, type Body, type InProcessApi } from './support/api.ts';

const dirs: string[] = [];
let api: InProcessApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const projectsOf = async (orgId: string) =>
  (await api!.request('GET', `/projects?org_id=${orgId}`)).body.projects.map((p: Body) => p.name);

describe('the organization', () => {
  it('is named by NEON_LOCAL_ORG_ID and NEON_LOCAL_ORG_NAME', async () => {
    api = inProcessApi({ NEON_LOCAL_ORG_ID: 'org-acme-12345678', NEON_LOCAL_ORG_NAME: 'Acme Ltd' });
    const { organizations } = (await api.request('GET', '/users/me/organizations')).body;
    expect(organizations).toMatchObject([
      { id: 'org-acme-12345678', name: 'Acme Ltd', handle: 'acme-ltd-org-acme-12345678' },
    ]);
    expect(await projectsOf('org-acme-12345678')).toEqual(['demo-project']);
  });

  it('refuses an id Neon would not accept', () => {
    expect(() => loadConfig({ NEON_LOCAL_ORG_ID: 'Org With Spaces' })).toThrow(
      /NEON_LOCAL_ORG_ID must be 1–60 of a-z, 0-9 and "-"/,
    );
  });

  it('takes in the projects of a store written before organizations, and keeps them on a change of id', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgs-'));
    dirs.push(dir);
    api = inProcessApi({ NEON_LOCAL_DATA_DIR: dir });
    await api.request('POST', '/projects', { body: { project: { name: 'second' } } });
    await api.close();
    // Back to schema v3, as a data directory written by the previous version looks.
    const db = new Database(path.join(dir, 'neon-local.sqlite'));
    db.exec(
      `DROP INDEX operations_newest_first; DROP INDEX projects_by_org; ALTER TABLE projects DROP COLUMN org_id`,
    );
    db.pragma('user_version = 3');
    db.close();

    api = inProcessApi({ NEON_LOCAL_DATA_DIR: dir, NEON_LOCAL_ORG_ID: 'org-first' });
    expect(await projectsOf('org-first')).toEqual(['demo-project', 'second']);
    await api.close();
    api = inProcessApi({ NEON_LOCAL_DATA_DIR: dir, NEON_LOCAL_ORG_ID: 'org-renamed' });
    expect(await projectsOf('org-renamed')).toEqual(['demo-project', 'second']);
    expect((await api.request('GET', '/projects?org_id=org-first')).status).toBe(404);
  });
});
