import { expect, test, usersUrl } from './support/fixtures.ts';
import { UsersPage } from './support/users-page.ts';

// Reads the seeded demo project, which no test changes.
test.describe('Browse', () => {
  let projectId: string;
  let mainId: string;
  let devId: string;

  test.beforeAll(async ({ api }) => {
    projectId = (await api.projectByName('demo-project')).id;
    mainId = await api.branchId(projectId, 'main');
    devId = await api.branchId(projectId, 'dev');
  });

  test("the demo project's users on main, then dev, with the URL following the branch", async ({
    page,
  }) => {
    const users = new UsersPage(page);
    await users.goto(usersUrl(projectId));

    await expect(users.branchSelect).toHaveValue(mainId);
    await expect(users.branchSelect.getByRole('option', { selected: true })).toHaveText(
      'main (default)',
    );
    await users.expectUsers(['casey', 'demo', 'reporting', 'sally', 'thomas', 'web_access']);
    await expect(users.user('web_access')).toContainText('Protected');
    await expect(
      users.row('reporting').getByRole('cell', { name: 'analytics', exact: true }),
    ).toBeVisible();
    await expect(page.getByText('6 users')).toBeVisible();

    await users.branchSelect.selectOption({ label: 'dev' });
    await expect(page).toHaveURL(new RegExp(`\\?branch=${devId}$`));
    await expect(users.user('casey')).toBeVisible();
    await expect(users.user('sally')).toBeVisible();
    // thomas was created after dev's point in time.
    await expect(users.user('thomas')).toHaveCount(0);
    await expect(page.getByText('5 users')).toBeVisible();

    await page.goBack();
    await expect(page).toHaveURL(usersUrl(projectId));
    await expect(users.branchSelect).toHaveValue(mainId);
    await expect(users.user('thomas')).toBeVisible();

    await page.goForward();
    await expect(users.branchSelect).toHaveValue(devId);
    await expect(users.user('thomas')).toHaveCount(0);
  });

  test("a load reads the project, its branches and operations, and the default branch's users and databases, once each", async ({
    page,
  }) => {
    // The server preloads these with the HTML: a preload the page's own request did not
    // take would show here as a second read of the same path.
    const reads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) reads.push(`${request.method()} ${url.pathname}`);
    });
    const users = new UsersPage(page);
    await users.goto(usersUrl(projectId));
    await expect(users.user('thomas')).toBeVisible();

    const project = `/api/v2/projects/${projectId}`;
    expect(reads.toSorted()).toEqual(
      [
        `GET ${project}`,
        `GET ${project}/branches`,
        `GET ${project}/operations`,
        `GET ${project}/branches/${mainId}/roles`,
        `GET ${project}/branches/${mainId}/databases`,
      ].toSorted(),
    );
  });

  test('a deep link to a branch survives a reload', async ({ page }) => {
    const users = new UsersPage(page);
    await users.goto(usersUrl(projectId, devId));
    await expect(users.branchSelect).toHaveValue(devId);
    await expect(page.getByRole('navigation', { name: 'Current project' })).toContainText('dev');
    await expect(users.user('casey')).toBeVisible();
    await expect(users.user('thomas')).toHaveCount(0);

    await page.reload();
    await expect(users.branchSelect).toHaveValue(devId);
    await expect(users.user('casey')).toBeVisible();
    await expect(users.user('thomas')).toHaveCount(0);
  });

  test('/ leads to a project; unknown projects and branches say so with a way back', async ({
    page,
  }) => {
    const users = new UsersPage(page);
    await page.goto('/');
    // Other tests make projects of their own, so / may show the picker rather than redirect.
    const demoLink = page.getByRole('link', { name: /demo-project/ });
    await expect(users.heading.or(demoLink)).toBeVisible();

    await page.goto(usersUrl(projectId, 'br-no-such-branch'));
    await expect(page.getByRole('heading', { name: 'Branch not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Show the default branch' }).click();
    await expect(users.branchSelect).toHaveValue(mainId);

    await page.goto(usersUrl('no-such-project-123'));
    await expect(page.getByRole('heading', { name: 'Project not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to your projects' }).click();
    await expect(users.heading.or(demoLink)).toBeVisible();
  });

  test('search is case-insensitive and sorting follows the column headers', async ({ page }) => {
    const users = new UsersPage(page);
    await users.goto(usersUrl(projectId));

    await users.search.fill('SAL');
    await users.expectUsers(['sally']);
    await expect(page.getByText('1 of 6 users')).toBeVisible();

    await users.search.fill('zzz-nobody');
    await expect(page.getByRole('heading', { name: /No users match/ })).toBeVisible();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await expect(users.search).toHaveValue('');
    await expect(page.getByRole('rowheader')).toHaveCount(6);

    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    const createdHeader = page.getByRole('columnheader', { name: 'Created' });
    await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
    await nameHeader.getByRole('button').click();
    await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
    await users.expectUsers(['web_access', 'thomas', 'sally', 'reporting', 'demo', 'casey']);

    await createdHeader.getByRole('button').click();
    await expect(createdHeader).toHaveAttribute('aria-sort', 'descending');
    await expect(nameHeader).toHaveAttribute('aria-sort', 'none');
    // Newest first; demo and web_access were made together with the project, so by name.
    await users.expectUsers(['thomas', 'reporting', 'sally', 'casey', 'demo', 'web_access']);
    await createdHeader.getByRole('button').click();
    await expect(createdHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(page.getByRole('rowheader').first()).toHaveText(/^demo/);
  });
});
