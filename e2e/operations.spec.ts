import type { Request } from '@playwright/test';
import { NeonApi } from './support/api.ts';
import { expect, test, usersUrl } from './support/fixtures.ts';
import { OwnServer } from './support/server.ts';
import { UsersPage } from './support/users-page.ts';

// Operations long enough to watch, on a server of this file's own.
// 3 s: a request refused with 423 at the start is sure to get through on the client's
// last retry (backoff waits at least 0.25 + 0.5 + 1 + 2 s).
const OPERATION_MS = 3_000;
const BUSY = 'Changes to this user are still being applied.';

test.describe('Operations', () => {
  test.describe.configure({ timeout: 60_000 });
  let server: OwnServer;
  let api: NeonApi;

  test.beforeAll(async () => {
    server = await OwnServer.start({ NEON_LOCAL_OPERATION_MS: String(OPERATION_MS) });
    api = new NeonApi(server.url);
  });
  test.afterAll(async () => {
    await server.stop('SIGTERM');
  });

  test("while a user's operations run its row shows progress, conflicting actions wait, then the row settles", async ({
    page,
    uniqueName,
    snap,
  }) => {
    const project = await api.createProject(uniqueName('ops'));
    const other = uniqueName('other');
    await api.createRole(project.id, project.mainBranchId, other);
    const users = new UsersPage(page);
    await users.goto(server.url + usersUrl(project.id));
    const resets: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/reset_password')) resets.push(request);
    });

    const user = uniqueName('busy');
    await users.createUser(user);
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();

    await expect(users.user(user).getByRole('status')).toHaveText('Applying changes…');
    await expect(users.row(user)).toHaveAttribute('aria-busy', 'true');
    await expect(page.getByRole('status').filter({ hasText: 'Applying changes to branch main…' })).toBeVisible();
    await expect(users.resetButton(user)).toBeDisabled();
    await expect(users.resetButton(user)).toHaveAccessibleDescription(BUSY);
    await expect(users.deleteButton(user)).toHaveAccessibleDescription(BUSY);
    await snap('operations: row in progress');

    // Another user's reset conflicts with running operations (Neon answers 423): it waits,
    // retried with backoff, and goes through once they finish. No error is shown.
    // Operations started elsewhere right now make the conflict certain, whatever the timing so far.
    await users.resetButton(other).click();
    await api.mutate('POST', `/api/v2/projects/${project.id}/branches/${project.mainBranchId}/roles`, {
      role: { name: uniqueName('elsewhere') },
    });
    await users.resetDialog(other).getByRole('button', { name: 'Sure, reset' }).click();
    await expect(users.resetDialog(other).getByRole('button', { name: 'Resetting…' })).toBeDisabled();
    await expect(users.newPasswordDialog(other)).toBeVisible({ timeout: 15_000 });
    expect(resets.length).toBeGreaterThan(1);
    await expect(users.newPasswordDialog(other).getByRole('alert')).toHaveCount(0);
    await users.newPasswordDialog(other).getByRole('button', { name: 'Close' }).click();

    // Both rows settle once their operations finish.
    for (const name of [user, other]) {
      await expect(users.user(name).getByRole('status')).toHaveCount(0, { timeout: 15_000 });
      await expect(users.resetButton(name)).toBeEnabled();
      await expect(users.deleteButton(name)).toBeEnabled();
    }
    await expect(page.getByRole('status').filter({ hasText: 'Applying changes to branch main…' })).toHaveCount(0);
  });

  test('a failed operation is shown on its row, not swallowed', async ({ page, uniqueName }) => {
    const project = await api.createProject(uniqueName('opsfail'));
    const user = uniqueName('flaky');
    await api.createRole(project.id, project.mainBranchId, user);
    await api.armFault({
      method: 'POST',
      path: `/projects/${project.id}/branches/*/roles/${user}/reset_password`,
      fail_operations: 'e2e: compute failed to apply the new password',
    });
    const users = new UsersPage(page);
    await users.goto(server.url + usersUrl(project.id));

    await users.resetButton(user).click();
    await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).click();
    await users.newPasswordDialog(user).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(user).getByRole('status').filter({ hasText: 'Last change failed:' })).toContainText(
      'e2e: compute failed to apply the new password',
      { timeout: 15_000 },
    );
  });
});
