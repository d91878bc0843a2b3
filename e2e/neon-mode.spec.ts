import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { NeonApi } from './support/api.ts';
import { OwnServer } from './support/server.ts';
import { UsersPage } from './support/users-page.ts';
import { E2E_API_KEY } from './support/settings.ts';
import { NeonStandIn } from '../test/support/neon-standin.ts';

// Neon mode: our server forwards /api/v2 to a Neon-shaped stand-in (test/support/neon-standin.ts)
// with a key of its own. Each worker builds its own world; each test its own project in it.
const PERSONAL_KEY = 'napi_e2e_personal_3QmZ8vTq1nL0sYw4KcHd7RbXj2Gf5Upa';
const SCOPED_KEY = 'napi_e2e_scoped_9LkTf2WqZr6Nc1VbXm8Ys4Hd0Jg7Epo3';

interface World {
  standIn: NeonStandIn;
  server: OwnServer;
  scopedServer: OwnServer;
  betaOrg: string;
  /** Oldest project of organization Beta: on the second page of Neon's 10. */
  secondPage: { id: string; mainBranchId: string; devBranchId: string };
  scoped: { id: string };
}

let world: World;
let fresh = 0;

test.beforeAll(async () => {
  const standIn = new NeonStandIn({ keys: {}, operationMs: 300, branchPageMax: 2 });
  const acme = standIn.addOrganization('Acme');
  const betaOrg = standIn.addOrganization('Beta');
  standIn.addProject(acme, 'acme-web');
  const target = standIn.addProject(betaOrg, 'beta-ledger', 'ledger_owner');
  const devBranchId = standIn.addBranch(target.id, 'dev');
  standIn.addBranch(target.id, 'qa');
  standIn.addRole(target.id, target.mainBranchId, 'analyst');
  for (let i = 1; i <= 10; i++) standIn.addProject(betaOrg, `beta-filler-${i}`);
  const scoped = standIn.addProject(acme, 'acme-scoped');
  standIn.options.keys[PERSONAL_KEY] = { kind: 'personal' };
  standIn.options.keys[SCOPED_KEY] = { kind: 'project', orgId: acme, projectId: scoped.id };
  await standIn.start();
  const [server, scopedServer] = await Promise.all([
    OwnServer.start({ NEON_API_URL: standIn.apiUrl, NEON_API_KEY: PERSONAL_KEY }),
    OwnServer.start({ NEON_API_URL: standIn.apiUrl, NEON_API_KEY: SCOPED_KEY }),
  ]);
  world = {
    standIn,
    server,
    scopedServer,
    betaOrg,
    secondPage: { ...target, devBranchId },
    scoped: { id: scoped.id },
  };
});

test.afterAll(async () => {
  await Promise.all([world?.server.stop('SIGTERM'), world?.scopedServer.stop('SIGTERM')]);
  await world?.standIn.close();
});

/**
 * The upstream keys never reach the browser, in anything it sends or receives, and the
 * browser only ever talks to our server (never to the upstream).
 */
function watchUpstreamKeys(page: Page) {
  const leaks: string[] = [];
  const pending: Promise<void>[] = [];
  const keys = [PERSONAL_KEY, SCOPED_KEY];
  const has = (text: string) => keys.some((k) => text.includes(k));
  page.on('request', (request) => {
    if (request.url().startsWith(world.standIn.url)) leaks.push(`direct ${request.url()}`);
    pending.push(
      request
        .allHeaders()
        .catch(() => request.headers())
        .then((headers) => {
          if (has(request.url() + JSON.stringify(headers) + (request.postData() ?? '')))
            leaks.push(`request ${request.method()} ${request.url()}`);
        }),
    );
  });
  page.on('response', (response) => {
    pending.push(
      (async () => {
        const headers = JSON.stringify(await response.allHeaders().catch(() => response.headers()));
        const body = await response.text().catch(() => '');
        if (has(headers + body)) leaks.push(`response ${response.status()} ${response.url()}`);
      })(),
    );
  });
  return async () => {
    await Promise.allSettled(pending);
    expect(leaks, 'upstream keys must never reach the browser').toEqual([]);
  };
}

async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

/** Every request the stand-in received since `from` carried exactly the server's key. */
function expectUpstreamCarried(key: string, from: number) {
  const seen = world.standIn.requests.slice(from);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.filter((r) => r.authorization !== `Bearer ${key}`)).toEqual([]);
}

/** A project of this test's own in organization Beta, with a user `name` on main. */
function freshProject(owner = 'app_owner') {
  const project = world.standIn.addProject(world.betaOrg, `beta-own-${++fresh}`, owner);
  return project;
}

test.describe('Neon mode', () => {
  test('pick the organization, a project on the second page, its users, another branch', async ({
    page,
  }) => {
    const checkKeys = watchUpstreamKeys(page);
    const from = world.standIn.requests.length;
    const { server, secondPage } = world;
    await page.goto(`${server.url}/`);

    const org = page.getByRole('combobox', { name: 'Organization' });
    await expect(org).toBeVisible();
    await org.selectOption({ label: 'Beta' });
    await expect(page).toHaveURL(new RegExp(`\\?org=${world.betaOrg}$`));
    await expect(page.getByRole('link', { name: /beta-filler-10/ })).toBeVisible();
    await expect(page.getByRole('link', { name: /beta-ledger/ })).toHaveCount(0);

    await expectNoAxeViolations(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectNoAxeViolations(page);
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Load more projects' }).click();
    const ledger = page.getByRole('link', { name: /beta-ledger/ });
    await expect(ledger).toBeFocused();
    await page.keyboard.press('Enter');

    const users = new UsersPage(page);
    await expect(users.heading).toBeVisible();
    await expect(page).toHaveURL(`${server.url}/projects/${secondPage.id}/settings/users`);
    await users.expectUsers(['analyst', 'ledger_owner']);
    // Branches come two to a page from this upstream: all three are offered.
    await expect(users.branchSelect.getByRole('option')).toHaveText([
      'main (default)',
      'dev',
      'qa',
    ]);
    await users.branchSelect.selectOption({ label: 'dev' });
    await expect(page).toHaveURL(new RegExp(`\\?branch=${secondPage.devBranchId}$`));
    await expect(users.table).toHaveAccessibleName('Users on branch dev');

    await checkKeys();
    expectUpstreamCarried(PERSONAL_KEY, from);
  });

  test('a deep link opens whatever the account kind; create (423 retried unseen), reset, delete', async ({
    page,
    uniqueName,
  }) => {
    const checkKeys = watchUpstreamKeys(page);
    const from = world.standIn.requests.length;
    const project = freshProject();
    const users = new UsersPage(page);
    await users.goto(
      `${world.server.url}/projects/${project.id}/settings/users?branch=${project.mainBranchId}`,
    );

    const name = uniqueName('neon');
    await users.createUser(name);
    await expect(users.createdDialog(name).getByRole('alert')).toHaveCount(0);
    await users.createdDialog(name).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(name)).toBeVisible();
    const creates = world.standIn.requests
      .slice(from)
      .filter((r) => r.method === 'POST' && r.url.endsWith('/roles'));
    // The first was refused with 423 by the upstream and sent again by the page, unseen.
    expect(creates).toHaveLength(2);
    expect(world.standIn.roleNames(project.mainBranchId)).toContain(name);

    // The create's operation may still run: the reset's 423 is retried too.
    await users.resetButton(name).click();
    await users.resetDialog(name).getByRole('button', { name: 'Sure, reset' }).click();
    const reset = users.newPasswordDialog(name);
    await expect(reset).toBeVisible();
    await users.readPassword(reset);
    await reset.getByRole('button', { name: 'Close' }).click();

    await users.deleteButton(name).click();
    await users.deleteDialog(name).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(users.deleteDialog(name)).toBeHidden();
    await expect(users.user(name)).toHaveCount(0);
    expect(world.standIn.roleNames(project.mainBranchId)).not.toContain(name);

    await checkKeys();
    expectUpstreamCarried(PERSONAL_KEY, from);
  });

  test("an owner's delete is refused with Neon's own message and the dialog stays open", async ({
    page,
  }) => {
    const checkKeys = watchUpstreamKeys(page);
    const project = freshProject();
    world.standIn.addRole(project.id, project.mainBranchId, 'billing');
    const users = new UsersPage(page);
    await users.goto(`${world.server.url}/projects/${project.id}/settings/users`);
    await expect(users.deleteButton('billing')).not.toHaveAttribute('aria-disabled');

    // Someone else makes billing an owner after the page read the databases.
    world.standIn.addDatabase(project.id, project.mainBranchId, 'invoices', 'billing');
    await users.deleteButton('billing').click();
    const dialog = users.deleteDialog('billing');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText(
      'cannot drop role "billing": it is the owner of database(s) "invoices"',
    );
    await expect(dialog).toBeVisible();
    expect(world.standIn.roleNames(project.mainBranchId)).toContain('billing');
    await checkKeys();
  });

  test('a 429 with Retry-After is waited out, unseen', async ({ page }) => {
    const project = freshProject();
    // Neon's limits: 700 requests a minute per account, 40 a second per route (issue 11); the
    // wording and the Retry-After header here are guesses.
    world.standIn.refusals.push({
      method: 'GET',
      path: new RegExp(`^/projects/${project.id}/branches/[^/]+/roles$`),
      status: 429,
      message: 'rate limit exceeded',
      count: 1,
      headers: { 'retry-after': '1' },
    });
    const from = world.standIn.requests.length;
    const users = new UsersPage(page);
    await users.goto(`${world.server.url}/projects/${project.id}/settings/users`);
    await expect(users.user('app_owner')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    const reads = world.standIn.requests
      .slice(from)
      .filter((r) => r.method === 'GET' && r.url.endsWith('/roles'));
    expect(reads.length).toBeGreaterThanOrEqual(2);
  });

  test('a project-scoped key goes straight to its project', async ({ page }) => {
    const checkKeys = watchUpstreamKeys(page);
    const from = world.standIn.requests.length;
    await page.goto(`${world.scopedServer.url}/`);
    const users = new UsersPage(page);
    await expect(users.heading).toBeVisible();
    await expect(page).toHaveURL(
      `${world.scopedServer.url}/projects/${world.scoped.id}/settings/users`,
    );
    await expect(users.user('neondb_owner')).toBeVisible();
    await checkKeys();
    expectUpstreamCarried(SCOPED_KEY, from);
  });
});

test.describe('Neon mode with a key Neon refuses', () => {
  test('the page says what the start-up line says, once, instead of a page of 401s', async ({
    page,
  }) => {
    const refused = await OwnServer.start({
      NEON_API_URL: world.standIn.apiUrl,
      NEON_API_KEY: 'napi_e2e_revoked_0000000000000000000000000000000000',
    });
    try {
      const sentence = `The Neon API at ${world.standIn.url} refused the key in NEON_API_KEY (401: authorization failed); restart the server with a valid key.`;
      await page.goto(`${refused.url}/`);
      await expect(page.getByRole('alert')).toHaveCount(1);
      await expect(page.getByRole('alert')).toContainText(sentence);
      await expectNoAxeViolations(page);
      await page.goto(`${refused.url}/projects/${world.secondPage.id}/settings/users`);
      await expect(page.getByRole('alert')).toHaveCount(1);
      await expect(page.getByRole('alert')).toContainText(sentence);
      await expect.poll(() => refused.log).toContain(`Neon key:           ${sentence}`);
      expect(refused.log).not.toContain('napi_e2e_revoked');
    } finally {
      await refused.stop('SIGTERM');
    }
  });
});

test.describe('Neon mode chained to our own local API', () => {
  let local: OwnServer;
  let front: OwnServer;

  test.beforeAll(async () => {
    local = await OwnServer.start();
    front = await OwnServer.start({
      NEON_API_URL: `${local.url}/api/v2`,
      NEON_API_KEY: E2E_API_KEY,
    });
  });

  test.afterAll(async () => {
    await front?.stop('SIGTERM');
    await local?.stop('SIGTERM');
  });

  test('the page lists and creates users through a Neon-mode server in front of a local one', async ({
    page,
    uniqueName,
  }) => {
    // The fixtures' key watch checks E2E_API_KEY, the key both servers hold, never reaches the page.
    const api = new NeonApi(local.url);
    const demo = await api.projectByName('demo-project');
    await page.goto(`${front.url}/`);
    const users = new UsersPage(page);
    // The local key is a personal one with one organization, holding one project: opened at once.
    await expect(users.heading).toBeVisible();
    await expect(page).toHaveURL(`${front.url}/projects/${demo.id}/settings/users`);
    await expect(users.user('casey')).toBeVisible();

    const name = uniqueName('chain');
    await users.createUser(name);
    await users.createdDialog(name).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(name)).toBeVisible();
    const mainId = await api.branchId(demo.id, 'main');
    expect((await api.roles(demo.id, mainId)).map((r) => r.name)).toContain(name);
    // Each of the page's calls went through the front server to the local one (the front's
    // start-up key check asks GET /auth too, so the organizations are what shows the page's way).
    expect(local.log).toMatch(/GET \/api\/v2\/users\/me\/organizations 200/);
    expect(local.log).toMatch(
      new RegExp(`POST /api/v2/projects/${demo.id}/branches/${mainId}/roles 201`),
    );
  });
});
