import { expect, test, usersUrl } from './support/fixtures.ts';
import { UsersPage } from './support/users-page.ts';

test.describe('Delete', () => {
  test('Cancel keeps the user, Delete removes it, and focus lands somewhere sensible', async ({
    listedUser: { name: user, users },
    project,
    api,
    snap,
  }) => {
    await users.deleteButton(user).click();
    const dialog = users.deleteDialog(user);
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expect(dialog).toContainText(`This removes the user ${user} from branch main.`);
    await snap('delete: confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.deleteButton(user)).toBeFocused();
    await expect(users.user(user)).toBeVisible();

    await users.deleteButton(user).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(users.user(user)).toHaveCount(0);
    // The row that opened the dialog is gone: focus goes to New User.
    await expect(users.newUserButton).toBeFocused();
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).not.toContain(
      user,
    );
  });

  test("an owner's delete is disabled and names its databases; web_access can be neither deleted nor reset", async ({
    page,
    api,
  }) => {
    const demo = await api.projectByName('demo-project');
    const users = new UsersPage(page);
    await users.goto(usersUrl(demo.id));

    await expect(users.deleteButton('reporting')).toHaveAttribute('aria-disabled', 'true');
    await expect(users.deleteButton('reporting')).toHaveAccessibleDescription(
      'reporting owns database analytics: delete or reassign it first.',
    );
    await expect(users.deleteButton('demo')).toHaveAccessibleDescription(
      'demo owns database neondb: delete or reassign it first.',
    );
    await expect(users.resetButton('reporting')).not.toHaveAttribute('aria-disabled');

    await expect(users.deleteButton('web_access')).toHaveAttribute('aria-disabled', 'true');
    await expect(users.deleteButton('web_access')).toHaveAccessibleDescription(
      /web_access is a protected system user: it cannot be deleted/,
    );
    await expect(users.resetButton('web_access')).toHaveAttribute('aria-disabled', 'true');
    await expect(users.resetButton('web_access')).toHaveAccessibleDescription(
      /its password cannot be reset/,
    );

    // aria-disabled keeps them reachable (to hear why), but pressing them opens nothing.
    for (const button of [
      users.deleteButton('reporting'),
      users.deleteButton('web_access'),
      users.resetButton('web_access'),
    ]) {
      await expect(button).toBeDisabled();
      await button.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Space');
    }
    await expect(page.getByRole('alertdialog')).toHaveCount(0);
    await expect(users.user('reporting')).toBeVisible();
    await expect(users.user('web_access')).toBeVisible();
  });

  test("when Neon refuses, the dialog stays open with Neon's message", async ({
    listedUser: { name: user, users },
    project,
    api,
    snap,
  }) => {
    await api.armRolesFault(
      project.id,
      'DELETE',
      { status: 500, message: 'e2e: the compute refused to drop this role' },
      user,
    );

    await users.deleteButton(user).click();
    const dialog = users.deleteDialog(user);
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('The user was not deleted.');
    await expect(dialog.getByRole('alert')).toContainText(
      'e2e: the compute refused to drop this role',
    );
    await expect(dialog).toBeVisible();
    await snap('delete: refused');

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(users.deleteButton(user)).toBeFocused();
    await expect(users.user(user)).toBeVisible();
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).toContain(user);

    // The fault was used up: trying again works.
    await users.deleteButton(user).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(users.user(user)).toHaveCount(0);
  });
});
