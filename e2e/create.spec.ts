import fs from 'node:fs/promises';
import { expect, test } from './support/fixtures.ts';
import { isCreateRole, recordRequests } from './support/requests.ts';
import { expectPasswordForgotten, parseEnvFile, UsersPage } from './support/users-page.ts';

test.describe('Create', () => {
  test('names are checked as they are typed: empty, too many bytes, duplicate; the 63-byte limit is created', async ({
    page,
    project,
    api,
    snap,
  }) => {
    const devId = await api.createBranch(project.id, 'dev');
    const users = new UsersPage(page);
    await users.goto(project.url());
    const posts = recordRequests(page, isCreateRole);

    await users.newUserButton.click();
    const dialog = users.newUserDialog;
    const name = dialog.getByRole('textbox', { name: 'Name' });
    const create = dialog.getByRole('button', { name: 'Create' });
    await expect(name).toBeFocused();
    await expect(dialog.getByRole('combobox', { name: 'Branch' })).toHaveValue(
      project.mainBranchId,
    );
    await snap('new user: empty');

    await create.click();
    await expect(dialog.getByText('Enter a name.')).toBeVisible();
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await snap('new user: name required');

    // 32 × "é" (2 bytes each) = 64 bytes: one too many, though only 32 characters.
    await name.fill('é'.repeat(32));
    await expect(dialog.getByText('64/63 bytes')).toBeVisible();
    await expect(dialog.getByText('The name is 64 bytes; the limit is 63 bytes.')).toBeVisible();
    await expect(name).toHaveAccessibleDescription(/64\/63 bytes/);
    await create.click();
    await expect(dialog).toBeVisible();
    await snap('new user: too long');

    // Reserved names and the quoting hint: src/pages/users/new-user-dialog.test.tsx.
    await name.fill('demo');
    await expect(
      dialog.getByText('A user named "demo" already exists on branch main.'),
    ).toBeVisible();
    await create.click();
    await snap('new user: duplicate');
    expect(posts).toHaveLength(0);

    // 21 × "日" (3 bytes each) = 63 bytes: exactly the limit.
    const longest = '日'.repeat(21);
    await name.fill(longest);
    await expect(dialog.getByText('63/63 bytes')).toBeVisible();
    await expect(name).not.toHaveAttribute('aria-invalid');
    await expect(dialog.getByText(`SQL needs this name quoted: "${longest}"`)).toBeVisible();
    await create.click();
    await expect(users.createdDialog(longest)).toBeVisible();
    await users.createdDialog(longest).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(longest)).toBeVisible();

    // The same name is taken on main but free on dev.
    await users.newUserButton.click();
    await name.fill(longest);
    await expect(
      dialog.getByText(`A user named "${longest}" already exists on branch main.`),
    ).toBeVisible();
    await dialog.getByRole('combobox', { name: 'Branch' }).selectOption({ label: 'dev' });
    await expect(dialog.getByText(/already exists/)).toBeHidden();
    await create.click();
    await expect(users.createdDialog(longest)).toBeVisible();
    await users.createdDialog(longest).getByRole('button', { name: 'Close' }).click();

    expect(posts).toHaveLength(2);
    expect(
      (await api.roles(project.id, project.mainBranchId)).filter((r) => r.name === longest),
    ).toHaveLength(1);
    expect((await api.roles(project.id, devId)).filter((r) => r.name === longest)).toHaveLength(1);
  });

  test('Enter pressed twice and a double click each create exactly one user', async ({
    page,
    users,
    project,
    api,
    uniqueName,
  }) => {
    const posts = recordRequests(page, isCreateRole);

    const byEnter = uniqueName('enter');
    await users.newUserButton.click();
    const name = users.newUserDialog.getByRole('textbox', { name: 'Name' });
    await name.fill(byEnter);
    await expect(name).toBeFocused();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(users.createdDialog(byEnter)).toBeVisible();
    await users.createdDialog(byEnter).getByRole('button', { name: 'Close' }).click();

    const byDoubleClick = uniqueName('dbl');
    await users.newUserButton.click();
    await name.fill(byDoubleClick);
    await users.newUserDialog.getByRole('button', { name: 'Create' }).dblclick();
    await expect(users.createdDialog(byDoubleClick)).toBeVisible();
    await users.createdDialog(byDoubleClick).getByRole('button', { name: 'Close' }).click();

    await expect(users.user(byEnter)).toHaveCount(1);
    await expect(users.user(byDoubleClick)).toHaveCount(1);
    expect(posts).toHaveLength(2);
    const names = (await api.roles(project.id, project.mainBranchId)).map((r) => r.name);
    expect(names.filter((n) => n === byEnter || n === byDoubleClick).sort()).toEqual(
      [byDoubleClick, byEnter].sort(),
    );
  });

  test('the one-time password: show/hide, Copy, Download .env, then forgotten', async ({
    page,
    users,
    project,
    api,
    uniqueName,
    snap,
  }) => {
    const user = uniqueName('ada');
    const password = await users.createUser(user);
    const dialog = users.createdDialog(user);
    const field = dialog.getByLabel('Password', { exact: true });

    await expect(
      dialog.getByText('You cannot see it again after you close this dialog.'),
    ).toBeVisible();
    await expect(field).toHaveAttribute('type', 'password');
    await snap('password dialog: masked');
    await dialog.getByRole('button', { name: 'Show password' }).click();
    await expect(field).toHaveAttribute('type', 'text');
    await expect(dialog.getByRole('button', { name: 'Hide password' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await snap('password dialog: shown');
    await dialog.getByRole('button', { name: 'Hide password' }).click();
    await expect(field).toHaveAttribute('type', 'password');

    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect(
      dialog.getByRole('status').filter({ hasText: 'Copied the password to the clipboard.' }),
    ).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
    await snap('password dialog: copied');

    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Download .env' }).click();
    const download = await downloading;
    // Chromium turns a download named ".env" into "env.txt"; the console names it after the user.
    expect(download.suggestedFilename()).toBe(`${user}.env`);
    const env = parseEnvFile(await fs.readFile(await download.path(), 'utf8'));
    expect(env.PGUSER).toBe(user);
    expect(env.PGPASSWORD).toBe(password);
    expect(env.PGDATABASE).toBe('neondb');
    expect(env.PGHOST).toMatch(/^ep-[a-z0-9-]+\./);
    const url = new URL(env.DATABASE_URL);
    expect(url.protocol).toBe('postgresql:');
    expect(decodeURIComponent(url.username)).toBe(user);
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(url.hostname).toBe(env.PGHOST);
    expect(decodeURIComponent(url.pathname.slice(1))).toBe(env.PGDATABASE);
    expect(url.searchParams.get('sslmode')).toBe('require');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.user(user)).toBeVisible();
    await expectPasswordForgotten(page, password);
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).toContain(user);
  });

  test('a name SQL must quote gets a .env that survives it', async ({ page, users }) => {
    const user = `Ünïcode 'q' "d" ${Date.now().toString(36)}`;
    const password = await users.createUser(user);
    const dialog = users.createdDialog(user);
    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Download .env' }).click();
    const env = parseEnvFile(await fs.readFile(await (await downloading).path(), 'utf8'));
    expect(env.PGUSER).toBe(user);
    expect(env.PGPASSWORD).toBe(password);
    const url = new URL(env.DATABASE_URL);
    expect(decodeURIComponent(url.username)).toBe(user);
    expect(decodeURIComponent(url.password)).toBe(password);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(users.user(user)).toBeVisible();
  });
});

test.describe('Create, clipboard refused', () => {
  test('when the browser refuses the clipboard, Copy offers select-to-copy', async ({
    page,
    project,
    uniqueName,
  }) => {
    // A browser that refuses clipboard writes (no permission, or an embedding policy).
    await page.addInitScript(() => {
      Object.defineProperty(navigator.clipboard, 'writeText', {
        value: () =>
          Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')),
      });
    });
    const users = new UsersPage(page);
    await users.goto(project.url());
    const user = uniqueName('noclip');
    const password = await users.createUser(user);
    const dialog = users.createdDialog(user);

    await dialog.getByRole('button', { name: 'Copy' }).click();
    const fallback = dialog.getByRole('textbox', { name: /Your browser blocked copying/ });
    await expect(fallback).toHaveValue(password);
    await expect(dialog.getByRole('button', { name: 'Copied' })).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expectPasswordForgotten(page, password);
  });
});
