import { afterEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';
import { NeonStandIn, type KeyScope } from '../../../test/support/neon-standin';

const PERSONAL = 'napi_personal_standin_key_0000000000000000000000';
const ORG = 'napi_org_standin_key_00000000000000000000000000000';
const SCOPED = 'napi_scoped_standin_key_000000000000000000000000';

let upstream: NeonStandIn | undefined;
let server: ConsoleServer | undefined;

afterEach(async () => {
  await server?.close();
  await upstream?.close();
  server = upstream = undefined;
});

/** Two organizations; the second holds 12 projects, so one page of Neon's 10 is not all. */
async function neonWorld(
  keys: (ids: { acme: string; beta: string; lone: string }) => Record<string, KeyScope>,
  key: string,
) {
  const standIn = new NeonStandIn({
    keys: {},
    operationMs: 0,
    conflictOnFirstMutation: false,
    branchPageMax: 2,
  });
  const acme = standIn.addOrganization('Acme');
  const beta = standIn.addOrganization('Beta');
  const lone = standIn.addProject(acme, 'acme-app').id;
  for (let i = 1; i <= 12; i++) standIn.addProject(beta, `beta-${String(i).padStart(2, '0')}`);
  Object.assign(standIn.options.keys, keys({ acme, beta, lone }));
  upstream = await standIn.start();
  server = await startConsoleServer({ NEON_API_URL: standIn.apiUrl, NEON_API_KEY: key });
  return { standIn, acme, beta, lone };
}

function projectNames() {
  return within(screen.getByRole('list'))
    .getAllByRole('link')
    .map((link) => link.querySelector('.project-name')?.textContent);
}

describe('projects page against a Neon-shaped upstream', () => {
  it('a personal key: organization switcher, cursor paging, Neon-side search', async () => {
    const { standIn, beta } = await neonWorld(
      () => ({ [PERSONAL]: { kind: 'personal' } }),
      PERSONAL,
    );
    const { user } = renderConsole('/');

    const orgSelect = await screen.findByRole('combobox', { name: 'Organization' });
    expect(
      within(orgSelect)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Acme', 'Beta']);
    // One organization with one project: listed, not opened, since another organization is on offer.
    expect(await screen.findByRole('link', { name: /acme-app/ })).toBeInTheDocument();

    await user.selectOptions(orgSelect, 'Beta');
    expect(new URLSearchParams(window.location.search).get('org')).toBe(beta);
    await waitFor(() => expect(projectNames()).toHaveLength(10));
    // Newest first: beta-12 … beta-03 on the first page.
    expect(projectNames()[0]).toBe('beta-12');
    expect(screen.getByText('10 projects shown, more to load')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load more projects' }));
    await waitFor(() => expect(projectNames()).toHaveLength(12));
    expect(projectNames().slice(10)).toEqual(['beta-02', 'beta-01']);
    expect(screen.queryByRole('button', { name: 'Load more projects' })).not.toBeInTheDocument();
    // Focus went to the first project the page brought.
    await waitFor(() => expect(screen.getByRole('link', { name: /beta-02/ })).toHaveFocus());

    await user.type(screen.getByRole('searchbox', { name: 'Search projects' }), 'beta-0');
    await waitFor(() => expect(projectNames()).toHaveLength(9));
    const listCalls = standIn.requests.filter((r) => r.url.startsWith('/api/v2/projects?'));
    expect(
      listCalls.some((r) => /search=beta-0/.test(r.url) && r.url.includes(`org_id=${beta}`)),
    ).toBe(true);
    // Every list carried org_id, so Neon's "org_id is required" never came back.
    expect(listCalls.every((r) => r.url.includes('org_id='))).toBe(true);
    expect(standIn.requests.every((r) => r.authorization === `Bearer ${PERSONAL}`)).toBe(true);
  });

  it('an organization key lists its organization without asking for organizations', async () => {
    const { standIn } = await neonWorld(
      ({ beta }) => ({ [ORG]: { kind: 'organization', orgId: beta } }),
      ORG,
    );
    renderConsole('/');
    await waitFor(() => expect(projectNames()).toHaveLength(10));
    expect(screen.queryByRole('combobox', { name: 'Organization' })).not.toBeInTheDocument();
    expect(standIn.requests.some((r) => r.url.startsWith('/api/v2/users/me'))).toBe(false);
  });

  it('a project-scoped key goes straight to its project, whose branches come a page at a time', async () => {
    const { standIn, lone } = await neonWorld(
      ({ acme, lone }) => ({ [SCOPED]: { kind: 'project', orgId: acme, projectId: lone } }),
      SCOPED,
    );
    standIn.addBranch(lone, 'dev');
    standIn.addBranch(lone, 'staging');
    renderConsole('/');
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(window.location.pathname).toBe(`/projects/${lone}/settings/users`);
    const branchSelect = await screen.findByLabelText('Branch');
    // Three branches over two pages of two (pagination.next followed).
    await waitFor(() =>
      expect(
        within(branchSelect)
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['main (default)', 'dev', 'staging']),
    );
    expect(
      standIn.requests.filter((r) => r.url.includes('/branches?')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(await screen.findByRole('rowheader', { name: /^neondb_owner/ })).toBeInTheDocument();
  });

  it('a key that may not list projects offers to open one by its ID', async () => {
    const { standIn, lone } = await neonWorld(
      ({ acme, lone }) => ({ [SCOPED]: { kind: 'project', orgId: acme, projectId: lone } }),
      SCOPED,
    );
    // What a Neon that refuses a scoped key the project list would answer (a guess: see the stand-in).
    standIn.refusals.push({
      method: 'GET',
      path: /^\/projects$/,
      status: 404,
      message: 'not allowed for project-scoped API keys',
    });
    const { user } = renderConsole('/');
    expect(await screen.findByText('not allowed for project-scoped API keys')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Project ID' }), lone);
    await user.click(screen.getByRole('button', { name: 'Open project' }));
    expect(await screen.findByRole('rowheader', { name: /^neondb_owner/ })).toBeInTheDocument();
    expect(window.location.pathname).toBe(`/projects/${lone}/settings/users`);
  });
});

describe('projects page against the local server', () => {
  // Both settings of NEON_LOCAL_ORG_ONLY: the page names the organization either way, so an
  // organization-only account never sees "org_id is required".
  for (const orgOnly of ['0', '1']) {
    it(`lists the organization's projects (NEON_LOCAL_ORG_ONLY=${orgOnly})`, async () => {
      server = await startConsoleServer({
        NEON_LOCAL_ORG_ONLY: orgOnly,
        NEON_LOCAL_ORG_ID: 'org-local-test',
      });
      await server.api('/projects', {
        method: 'POST',
        body: JSON.stringify({ project: { name: 'second', org_id: 'org-local-test' } }),
      });
      renderConsole('/');
      await waitFor(() => expect(projectNames()).toEqual(['demo-project', 'second']));
      // One organization: no switcher.
      expect(screen.queryByRole('combobox', { name: 'Organization' })).not.toBeInTheDocument();
    });
  }
});
