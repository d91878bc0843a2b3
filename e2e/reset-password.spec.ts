import type { Request } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { expectPasswordForgotten, UsersPage } from './support/users-page.ts';

const isReset = (request: Request) =>
  request.method() === 'POST' && request.url().endsWith('/reset_password');

test.describe('Reset password', () => {
  test('"Sure, reset" shows a new password, different from the one shown at creation', async ({
    page,
    project,
    uniqueName,
    snap,
  }) => {
    const users = new UsersPage(page);
    await users.goto(project.url());
    const user = uniqueName('rotate');
    const first = await users.createUser(user);
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
    await expect(users.resetButton(user)).not.toHaveAttribute('aria-disabled');

    await users.resetButton(user).click();
    const confirm = users.resetDialog(user);
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await snap('reset: confirm');
    await confirm.getByRole('button', { name: 'Sure, reset' }).click();

    const dialog = users.newPasswordDialog(user);
    await expect(dialog).toBeVisible();
    await expect(confirm).toBeHidden();
    const second = await users.readPassword(dialog);
    expect(second).not.toBe(first);
    await snap('reset: new password');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.resetButton(user)).toBeFocused();
    await expectPasswordForgotten(page, first);
    await expectPasswordForgotten(page, second);
  });

  test('Cancel resets nothing: no request, no new operation', async ({
    page,
    project,
    api,
    uniqueName,
  }) => {
    const user = uniqueName('stay');
    await api.createRole(project.id, project.mainBranchId, user);
    const before = (await api.operations(project.id)).map((op) => op.id);
    const users = new UsersPage(page);
    await users.goto(project.url());
    const resets: Request[] = [];
    page.on('request', (request) => {
      if (isReset(request)) resets.push(request);
    });

    await users.resetButton(user).click();
    await users.resetDialog(user).getByRole('button', { name: 'Cancel' }).click();
    await expect(users.resetDialog(user)).toBeHidden();
    await expect(users.resetButton(user)).toBeFocused();
    // Escape cancels as well.
    await users.resetButton(user).click();
    await expect(users.resetDialog(user)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(users.resetDialog(user)).toBeHidden();

    expect(resets).toHaveLength(0);
    expect((await api.operations(project.id)).map((op) => op.id)).toEqual(before);
  });
});
