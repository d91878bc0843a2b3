import { expect, test } from './support/fixtures.ts';
import { isCreateRole, recordRequests } from './support/requests.ts';
import { expectPasswordForgotten, UsersPage } from './support/users-page.ts';

const SSL = 'sslmode=require&channel_binding=require';

test.describe('Connect', () => {
  test('copy a string, show the password, switch pooled off', async ({
    page,
    project,
    api,
    uniqueName,
    snap,
  }) => {
    const user = uniqueName('conn');
    const { password } = await api.createRole(project.id, project.mainBranchId, user);
    const endpoint = (
      await api.call<{ endpoints: Array<{ id: string; host: string; type: string }> }>(
        'GET',
        `/api/v2/projects/${project.id}/branches/${project.mainBranchId}/endpoints`,
      )
    ).endpoints.find((e) => e.type === 'read_write')!;
    const pooled = endpoint.host.replace(endpoint.id, `${endpoint.id}-pooler`);
    const reveals: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/roles/${user}/reveal_password`)) reveals.push(request.url());
    });

    const users = new UsersPage(page);
    await users.goto(project.url());
    await users.connectButton(user).click();
    const dialog = users.connectDialog;
    await expect(dialog.getByRole('combobox', { name: 'User' })).toHaveValue(user);
    await expect(users.connectionText).toHaveText(
      `postgresql://${user}:********@${pooled}/neondb?${SSL}`,
    );
    await snap('connect: pooled, password hidden');

    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect(dialog.getByRole('status')).toHaveText(
      'Copied, without the password: press Show password to include it.',
    );
    expect(reveals).toHaveLength(0);

    await dialog.getByRole('button', { name: 'Show password' }).click();
    const withPassword = `postgresql://${user}:${encodeURIComponent(password!)}@${pooled}/neondb?${SSL}`;
    await expect(users.connectionText).toHaveText(withPassword);
    expect(reveals).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect(dialog.getByRole('status')).toHaveText('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(withPassword);

    await dialog.getByRole('switch', { name: 'Connection pooling' }).uncheck();
    await expect(users.connectionText).toHaveText(
      `postgresql://${user}:${encodeURIComponent(password!)}@${endpoint.host}/neondb?${SSL}`,
    );
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'psql' });
    await expect(users.connectionText).toHaveText(
      `psql 'postgresql://${user}:${encodeURIComponent(password!)}@${endpoint.host}/neondb?${SSL}'`,
    );
    await snap('connect: direct, psql, password shown');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.connectButton(user)).toBeFocused();
    await expectPasswordForgotten(page, password!);
  });

  test('a passwordless user: created without a password dialog, marked, and Connect says it cannot log in', async ({
    users,
    page,
    project,
    api,
    uniqueName,
  }) => {
    const user = uniqueName('nologin');
    const posts = recordRequests(page, isCreateRole);

    await users.newUserButton.click();
    const dialog = users.newUserDialog;
    await dialog.getByRole('checkbox', { name: 'Can log in' }).uncheck();
    await dialog.getByRole('textbox', { name: 'Name' }).fill(user);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.createdDialog(user)).toHaveCount(0);
    await expect(users.user(user)).toBeVisible();
    expect(posts.map((post) => post.postDataJSON())).toEqual([
      { role: { name: user, no_login: true } },
    ]);

    const role = (await api.roles(project.id, project.mainBranchId)).find((r) => r.name === user);
    expect(role?.authentication_method).toBe('no_login');
    await expect(users.user(user)).toContainText('Cannot log in');
    await expect(users.resetButton(user)).toHaveAttribute('aria-disabled', 'true');
    await users.connectButton(user).click();
    await expect(users.connectDialog.getByRole('status')).toContainText(
      `${user} cannot log in: it has no password`,
    );
    await expect(users.connectDialog.getByRole('button', { name: 'Copy' })).toHaveCount(0);
  });

  test('offline, a dialog whose code cannot load says so, and opens once it can', async ({
    page,
    project,
  }) => {
    // Every try of the dialogs' code: the first (preloaded once the list paints) and the retries.
    const dialogCode = /\/assets\/open-dialog-[^/?]+\.js(\?.*)?$/;
    await page.route(dialogCode, (route) => route.abort('internetdisconnected'));
    const users = new UsersPage(page);
    await users.goto(project.url());
    await users.newUserButton.click();
    const dialog = users.newUserDialog;
    await expect(dialog.getByRole('alert')).toHaveText(
      'This dialog could not be loaded. Check your connection and try again.',
    );
    await page.unroute(dialogCode);
    await dialog.getByRole('button', { name: 'Try again' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Name' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(users.newUserButton).toBeFocused();
  });
});
