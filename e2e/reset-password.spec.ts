import { expect, test } from './support/fixtures.ts';
import { isReset, recordRequests } from './support/requests.ts';
import { expectPasswordForgotten } from './support/users-page.ts';

test.describe('Reset password', () => {
  test('"Sure, reset" shows a new password, different from the one shown at creation', async ({
    users,
    page,
    uniqueName,
    snap,
  }) => {
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
    listedUser: { name: user, users },
    page,
    project,
    api,
  }) => {
    const before = (await api.operations(project.id)).map((op) => op.id);
    const resets = recordRequests(page, isReset);

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
