import { NeonApi } from './support/api.ts';
import { expect, test as base, usersUrl } from './support/fixtures.ts';
import { isReset, recordRequests } from './support/requests.ts';
import { OwnServer } from './support/server.ts';
import { UsersPage } from './support/users-page.ts';

const BRANCH_BUSY = 'Applying changes to branch main…';

/**
 * A server of the test's own with slow operations. Tests use its seeded demo project,
 * idle from the start, so no set-up waits for operations.
 */
const test = base.extend<{
  operationMs: number;
  slowServer: { server: OwnServer; api: NeonApi; projectId: string };
}>({
  operationMs: 8_000,
  slowServer: async ({ operationMs }, use) => {
    const server = await OwnServer.start({ NEON_LOCAL_OPERATION_MS: String(operationMs) });
    const api = new NeonApi(server.url);
    await use({ server, api, projectId: (await api.projectByName('demo-project')).id });
    await server.stop();
  },
  // The users page of the slow server's demo project.
  users: async ({ page, slowServer: { server, projectId } }, use) => {
    const users = new UsersPage(page);
    await users.goto(server.url + usersUrl(projectId));
    await use(users);
  },
});

test.describe('Operations', () => {
  test.describe.configure({ timeout: 60_000 });

  test("while a user's operations run its row shows progress; its actions open and say they wait; then the row settles", async ({
    users,
    page,
    operationMs,
    uniqueName,
    snap,
  }) => {
    const user = uniqueName('busy');
    await users.createUser(user);
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();

    await expect(users.user(user).getByRole('status')).toHaveText('Applying changes…');
    await expect(users.row(user)).toHaveAttribute('aria-busy', 'true');
    await expect(page.getByRole('status').filter({ hasText: BRANCH_BUSY })).toBeVisible();
    await snap('operations: row in progress');
    // A press is never lost: the action opens, and its confirmation says what it waits for.
    await expect(users.deleteButton(user)).toBeEnabled();
    await users.resetButton(user).focus();
    await page.keyboard.press('Enter');
    const confirm = users.resetDialog(user);
    await expect(
      confirm.getByText(
        `A change to ${user} is still being applied. The reset waits for it to finish.`,
      ),
    ).toBeVisible();
    await confirm.getByRole('button', { name: 'Cancel' }).press('Enter');
    await expect(confirm).toBeHidden();

    // The row settles once the operations finish, and the list is fresh.
    await expect(users.user(user).getByRole('status')).toHaveCount(0, {
      timeout: operationMs + 5_000,
    });
    await expect(users.row(user)).not.toHaveAttribute('aria-busy');
    await expect(users.resetButton(user)).toBeEnabled();
    await expect(users.deleteButton(user)).toBeEnabled();
    await expect(page.getByRole('status').filter({ hasText: BRANCH_BUSY })).toHaveCount(0);
  });

  test.describe(() => {
    // 12 s outlasts the client's whole 423 backoff (4 retries, at most 0.5 + 1 + 2 + 4 s), so
    // an action started now is refused every time, not sometimes let through.
    test.use({ operationMs: 12_000 });

    test("another user's action is refused clearly while the project's operations run, then goes through", async ({
      users,
      page,
      slowServer: { api, projectId },
      operationMs,
      uniqueName,
      snap,
    }) => {
      const resets = recordRequests(page, isReset);

      // Operations started elsewhere right now (another tab, neonctl…).
      const mainId = await api.branchId(projectId, 'main');
      await api.mutate('POST', `/api/v2/projects/${projectId}/branches/${mainId}/roles`, {
        role: { name: uniqueName('elsewhere') },
      });
      await users.resetButton('casey').click();
      const confirm = users.resetDialog('casey');
      await confirm.getByRole('button', { name: 'Sure, reset' }).click();
      // Neon answers 423; the console retries with backoff while showing progress…
      await expect(confirm.getByRole('button', { name: 'Resetting…' })).toBeDisabled();
      // …then, the operations still running, says why, in the dialog.
      await expect(confirm.getByRole('alert')).toContainText('The password was not reset.', {
        timeout: 15_000,
      });
      await expect(confirm.getByRole('alert')).toContainText('running conflicting operations');
      await snap('operations: refused while busy');
      expect(resets.length).toBeGreaterThan(1);

      // Once they finish, the same dialog goes through.
      await expect(page.getByRole('status').filter({ hasText: BRANCH_BUSY })).toHaveCount(0, {
        timeout: operationMs + 5_000,
      });
      await confirm.getByRole('button', { name: 'Sure, reset' }).click();
      await expect(users.newPasswordDialog('casey')).toBeVisible();
      await expect(users.newPasswordDialog('casey').getByRole('alert')).toHaveCount(0);
    });
  });
});
