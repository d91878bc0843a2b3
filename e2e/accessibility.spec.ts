import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { attachScreenshot, expect, test } from './support/fixtures.ts';

/**
 * Axe on the whole page, or on the open dialog (the page behind it is inert, and axe on
 * the whole page again would only repeat the first check at several seconds a time).
 */
const DIALOG = '[role=dialog], [role=alertdialog]';

async function expectNoViolations(page: Page, testInfo: TestInfo, state: string, within?: string) {
  let builder = new AxeBuilder({ page });
  if (within) builder = builder.include(within);
  const { violations } = await builder.analyze();
  await attachScreenshot(page, testInfo, state);
  const summary = violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`,
    ),
  );
  expect(summary, `axe violations in "${state}"`).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`Accessibility (${colorScheme})`, () => {
    test.use({ colorScheme });
    test.describe.configure({ timeout: 60_000 });

    test('the page and the New User dialog in every state', async ({
      users,
      page,
      uniqueName,
    }, testInfo) => {
      await expectNoViolations(page, testInfo, `${colorScheme}: users page`);

      await users.newUserButton.click();
      const dialog = users.newUserDialog;
      await expect(dialog).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: new user, empty`, DIALOG);
      await dialog.getByRole('textbox', { name: 'Name' }).fill('pg_nope');
      await expect(dialog.getByText('reserved by Postgres')).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: new user, invalid name`, DIALOG);
      await dialog.getByRole('textbox', { name: 'Name' }).fill('Needs Quotes');
      await expect(dialog.getByText('SQL needs this name quoted')).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: new user, quoting hint`, DIALOG);

      const user = uniqueName('axe');
      await dialog.getByRole('textbox', { name: 'Name' }).fill(user);
      await dialog.getByRole('button', { name: 'Create' }).click();
      const created = users.createdDialog(user);
      await expect(created.getByRole('button', { name: 'Download .env' })).toBeEnabled();
      await expectNoViolations(page, testInfo, `${colorScheme}: password, masked`, DIALOG);
      await created.getByRole('button', { name: 'Show password' }).click();
      await created.getByRole('button', { name: 'Copy' }).click();
      await expect(created.getByRole('button', { name: 'Copied' })).toBeVisible();
      await expectNoViolations(
        page,
        testInfo,
        `${colorScheme}: password, shown and copied`,
        DIALOG,
      );
      await created.getByRole('button', { name: 'Close' }).click();
      await expect(users.user(user)).toBeVisible();
    });

    test('the delete and reset dialogs, including a refusal', async ({
      listedUser: { name: user, users },
      page,
      project,
      api,
    }, testInfo) => {
      await users.deleteButton(user).click();
      await expect(users.deleteDialog(user)).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: delete, confirm`, DIALOG);
      await api.armRolesFault(project.id, 'DELETE', { status: 500, message: 'e2e: refused' }, user);
      await users.deleteDialog(user).getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(users.deleteDialog(user).getByRole('alert')).toContainText('e2e: refused');
      await expectNoViolations(page, testInfo, `${colorScheme}: delete, refused`, DIALOG);
      await users.deleteDialog(user).getByRole('button', { name: 'Cancel' }).click();

      await users.resetButton(user).click();
      await expect(users.resetDialog(user)).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: reset, confirm`, DIALOG);
      await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).click();
      await expect(
        users.newPasswordDialog(user).getByRole('button', { name: 'Download .env' }),
      ).toBeEnabled();
      await expectNoViolations(page, testInfo, `${colorScheme}: reset, new password`, DIALOG);
    });

    test('the Connect dialog: masked, shown, another format', async ({
      listedUser: { name: user, users },
      page,
    }, testInfo) => {
      await users.connectButton(user).click();
      const dialog = users.connectDialog;
      await expect(users.connectionText).toContainText('********');
      await expectNoViolations(page, testInfo, `${colorScheme}: connect, masked`, DIALOG);
      await dialog.getByRole('button', { name: 'Show password' }).click();
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await expect(dialog.getByRole('status')).toHaveText('Copied to the clipboard.');
      await expectNoViolations(page, testInfo, `${colorScheme}: connect, shown and copied`, DIALOG);
      await dialog.getByRole('switch', { name: 'Connection pooling' }).uncheck();
      await dialog.getByRole('combobox', { name: 'Format' }).selectOption({ label: '.env' });
      await expect(users.connectionText).toContainText('PGHOST=');
      await expectNoViolations(page, testInfo, `${colorScheme}: connect, direct .env`, DIALOG);
    });

    test('empty search, not found, and a busy row', async ({
      users,
      page,
      project,
      uniqueName,
    }, testInfo) => {
      await users.search.fill('nobody-at-all');
      await expect(page.getByRole('heading', { name: /No users match/ })).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: no match`);
      await users.search.fill('');

      const user = uniqueName('busy');
      await users.createUser(user);
      await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
      await expectNoViolations(page, testInfo, `${colorScheme}: after create`);

      await page.goto(project.url('br-missing'));
      await expect(page.getByRole('heading', { name: 'Branch not found' })).toBeVisible();
      await expectNoViolations(page, testInfo, `${colorScheme}: branch not found`);
    });
  });
}
