import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { UsersPage } from './support/users-page.ts';

/**
 * Presses Tab (or Shift+Tab) until the target has focus, as a keyboard user would. The
 * target need not exist yet (a row of a long list is drawn once focus nears it).
 */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await target.evaluateAll((found) => found.some((e) => e === document.activeElement)))
      return;
  }
  throw new Error(`${key} never reached ${target}`);
}

test.describe('Keyboard only', () => {
  test('create with Tab, Shift+Tab, Enter and Space; focus is trapped and returns to New User', async ({
    users,
    page,
    project,
    api,
    uniqueName,
  }) => {
    await tabTo(page, users.newUserButton);
    await page.keyboard.press('Enter');

    const dialog = users.newUserDialog;
    const name = dialog.getByRole('textbox', { name: 'Name' });
    const branch = dialog.getByRole('combobox', { name: 'Branch' });
    const canLogIn = dialog.getByRole('checkbox', { name: 'Can log in' });
    const cancel = dialog.getByRole('button', { name: 'Cancel' });
    const create = dialog.getByRole('button', { name: 'Create' });
    await expect(name).toBeFocused();

    // Focus cycles inside the dialog, forwards and backwards.
    for (const next of [canLogIn, cancel, create, branch, name]) {
      await page.keyboard.press('Tab');
      await expect(next).toBeFocused();
    }
    await page.keyboard.press('Shift+Tab');
    await expect(branch).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(create).toBeFocused();

    // Escape closes and gives focus back to the trigger.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(users.newUserButton).toBeFocused();

    // Space opens it too; Enter in the name field submits.
    await page.keyboard.press('Space');
    await expect(name).toBeFocused();
    const user = uniqueName('keys');
    await page.keyboard.type(user);
    await page.keyboard.press('Enter');

    const created = users.createdDialog(user);
    await expect(created).toBeVisible();
    const show = created.getByRole('button', { name: 'Show password' });
    await tabTo(page, show);
    await page.keyboard.press('Space');
    await expect(created.getByRole('button', { name: 'Hide password' })).toBeFocused();
    await expect(created.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'text');
    await tabTo(page, created.getByRole('button', { name: 'Copy' }));
    await page.keyboard.press('Enter');
    await expect(
      created.getByRole('status').filter({ hasText: 'Copied the password to the clipboard.' }),
    ).toBeVisible();
    // Escape closes the password dialog (a stray click outside does not).
    await page.keyboard.press('Escape');
    await expect(created).toBeHidden();
    await expect(users.newUserButton).toBeFocused();
    await expect(users.user(user)).toBeVisible();
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).toContain(user);
  });

  test('reset and delete with the keyboard; Cancel is focused first and focus returns', async ({
    listedUser: { name: user, users },
    page,
  }) => {
    // Reset: Enter on the row's action, Tab to "Sure, reset", Enter.
    await tabTo(page, users.resetButton(user));
    await page.keyboard.press('Enter');
    const confirm = users.resetDialog(user);
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(confirm.getByRole('button', { name: 'Sure, reset' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    const shown = users.newPasswordDialog(user);
    await expect(shown).toBeVisible();
    await tabTo(page, shown.getByRole('button', { name: 'Close' }));
    await page.keyboard.press('Enter');
    await expect(shown).toBeHidden();
    await expect(users.resetButton(user)).toBeFocused();

    // Delete: Escape first (nothing happens), then Space on Delete.
    await tabTo(page, users.deleteButton(user));
    await page.keyboard.press('Space');
    const deletion = users.deleteDialog(user);
    await expect(deletion.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(deletion).toBeHidden();
    await expect(users.deleteButton(user)).toBeFocused();
    await expect(users.user(user)).toBeVisible();

    await page.keyboard.press('Enter');
    await expect(deletion.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(deletion.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
    await page.keyboard.press('Space');
    await expect(deletion).toBeHidden();
    await expect(users.user(user)).toHaveCount(0);
    await expect(users.newUserButton).toBeFocused();
  });

  test('Connect with the keyboard: pick a format, switch pooling, show and copy; focus returns', async ({
    listedUser: { name: user, password, users },
    page,
  }) => {
    await tabTo(page, users.connectButton(user));
    await page.keyboard.press('Enter');
    const dialog = users.connectDialog;
    await expect(dialog.getByRole('combobox', { name: 'Branch' })).toBeFocused();
    await expect(dialog.getByRole('combobox', { name: 'User' })).toHaveValue(user);

    const pooling = dialog.getByRole('switch', { name: 'Connection pooling' });
    await tabTo(page, pooling);
    await page.keyboard.press('Space');
    await expect(pooling).not.toBeChecked();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('combobox', { name: 'Format' })).toBeFocused();
    // A native select: arrow keys change the format.
    await page.keyboard.press('ArrowDown');
    await expect(users.connectionText).toHaveText(/^psql 'postgresql:/);

    await tabTo(page, dialog.getByRole('button', { name: 'Show password' }));
    await page.keyboard.press('Space');
    await expect(dialog.getByRole('button', { name: 'Hide password' })).toBeFocused();
    await expect(users.connectionText).toContainText(encodeURIComponent(password!));
    await tabTo(page, dialog.getByRole('button', { name: 'Copy' }), 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('status')).toHaveText('Copied to the clipboard.');

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(users.connectButton(user)).toBeFocused();
  });

  test('Tab walks a long list down and back past the rows first drawn, which stay about a screenful', async ({
    page,
    project,
    api,
  }) => {
    // Names that sort before the project's own users, in the order they are made.
    const names = Array.from({ length: 25 }, (_, i) => `aa_long_${String(i).padStart(3, '0')}`);
    for (const name of names) await api.createRole(project.id, project.mainBranchId, name);
    const users = new UsersPage(page);
    await users.goto(project.url());
    await expect(users.user(names[0]!)).toBeVisible();
    const drawnRows = users.table.locator('tbody tr:not([aria-hidden="true"])');
    expect(await drawnRows.count()).toBeLessThan(20);
    await expect(users.user(names[24]!)).toHaveCount(0);

    await tabTo(page, users.connectButton(names[0]!));
    await tabTo(page, users.deleteButton(names[24]!), 'Tab', 3 * names.length);
    await expect(users.deleteButton(names[24]!)).toBeInViewport();
    expect(await drawnRows.count()).toBeLessThan(20);
    await tabTo(page, users.connectButton(names[0]!), 'Shift+Tab', 3 * names.length);
    await expect(users.connectButton(names[0]!)).toBeInViewport();
  });

  test('branch, search and sort by keyboard', async ({ page, project, api, uniqueName }) => {
    const devId = await api.createBranch(project.id, 'dev');
    const onlyMain = uniqueName('mainonly');
    await api.createRole(project.id, project.mainBranchId, onlyMain);
    const users = new UsersPage(page);
    await users.goto(project.url());

    await tabTo(page, users.search);
    await page.keyboard.type('MAINONLY');
    await users.expectUsers([onlyMain]);
    await page.keyboard.press('Shift+Tab');
    await expect(users.branchSelect).toBeFocused();
    // A native select: arrow keys change the branch.
    await page.keyboard.press('ArrowUp');
    await expect(page).toHaveURL(new RegExp(`branch=${devId}`));
    await expect(users.branchSelect).toHaveValue(devId);

    const nameSort = page.getByRole('columnheader', { name: 'Name' }).getByRole('button');
    await tabTo(page, nameSort);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    await users.expectUsers(['web_access', 'demo']);
  });
});
