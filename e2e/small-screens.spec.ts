import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';

test.use({ viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true });

/** Nothing sticks out sideways: the page never scrolls horizontally on a phone. */
async function expectNoSidewaysScroll(page: Page) {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(375);
}

/** Every button of a dialog can be seen and reached on the small screen. */
async function expectFits(dialog: Locator) {
  await expect(dialog).toBeVisible();
  for (const button of await dialog.getByRole('button').all()) {
    await button.scrollIntoViewIfNeeded();
    await expect(button).toBeInViewport();
  }
  const box = await dialog.boundingBox();
  expect(box?.width ?? 0).toBeLessThanOrEqual(375);
}

test.describe('Small screens (375×667)', () => {
  test('create, reset and delete on a phone', async ({
    users,
    page,
    project,
    api,
    uniqueName,
    snap,
  }) => {
    await expectNoSidewaysScroll(page);
    await snap('phone: users page');

    const user = uniqueName('phone');
    await users.newUserButton.tap();
    await expectFits(users.newUserDialog);
    await users.newUserDialog.getByRole('textbox', { name: 'Name' }).fill(user);
    await snap('phone: new user');
    await users.newUserDialog.getByRole('button', { name: 'Create' }).tap();
    const created = users.createdDialog(user);
    await expect(created.getByRole('button', { name: 'Download .env' })).toBeEnabled();
    await expectFits(created);
    await snap('phone: password');
    const first = await users.readPassword(created);
    await created.getByRole('button', { name: 'Close' }).tap();
    await expect(users.user(user)).toBeVisible();
    await expectNoSidewaysScroll(page);

    await users.resetButton(user).scrollIntoViewIfNeeded();
    await expect(users.resetButton(user)).toBeInViewport();
    await users.resetButton(user).tap();
    await expectFits(users.resetDialog(user));
    await snap('phone: reset');
    await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).tap();
    const shown = users.newPasswordDialog(user);
    await expectFits(shown);
    expect(await users.readPassword(shown)).not.toBe(first);
    await shown.getByRole('button', { name: 'Close' }).tap();

    await users.deleteButton(user).scrollIntoViewIfNeeded();
    await expect(users.deleteButton(user)).toBeInViewport();
    await users.deleteButton(user).tap();
    await expectFits(users.deleteDialog(user));
    await snap('phone: delete');
    await users.deleteDialog(user).getByRole('button', { name: 'Delete', exact: true }).tap();
    await expect(users.user(user)).toHaveCount(0);
    await expectNoSidewaysScroll(page);
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).not.toContain(
      user,
    );
  });
});
