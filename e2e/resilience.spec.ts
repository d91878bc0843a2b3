import { expect, test } from './support/fixtures.ts';
import { isCreateRole, recordRequests } from './support/requests.ts';

/** A change whose answer never arrived: the console says its fate is unknown. */
const LOST = /Connection lost|could not be reached/;

test.describe('Resilience', () => {
  test('a 423 then success is retried without the user noticing', async ({
    page,
    users,
    project,
    api,
    uniqueName,
  }) => {
    await api.armRolesFault(project.id, 'POST', { status: 423 });
    const posts = recordRequests(page, isCreateRole);

    const user = uniqueName('patient');
    await users.createUser(user);
    await expect(users.createdDialog(user).getByRole('alert')).toHaveCount(0);
    expect(posts).toHaveLength(2);
    expect((await posts[0].response())?.status()).toBe(423);
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(user)).toHaveCount(1);
  });

  test("a 500 shows Neon's message in the dialog and creates nothing", async ({
    users,
    project,
    api,
    uniqueName,
    snap,
  }) => {
    await api.armRolesFault(project.id, 'POST', {
      status: 500,
      message: 'e2e: control plane is having a bad day',
    });

    const user = uniqueName('unlucky');
    const dialog = await users.submitNewUser(user);
    await expect(dialog.getByRole('alert')).toContainText('The user was not created.');
    await expect(dialog.getByRole('alert')).toContainText('e2e: control plane is having a bad day');
    await expect(dialog.getByRole('button', { name: 'Create' })).toBeEnabled();
    await snap('new user: server error');
    expect((await api.roles(project.id, project.mainBranchId)).map((r) => r.name)).not.toContain(
      user,
    );

    // The user may simply try again.
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(users.createdDialog(user)).toBeVisible();
  });

  // Chromium itself re-sends a request whose reused keep-alive connection closes before
  // any answer (POST included), so a drop may reach the page as a network error or, after
  // the browser's silent resend, as Neon's 409. Either way there must be one user, not two.
  test('a connection dropped after the create leaves exactly one user, never two', async ({
    users,
    project,
    api,
    uniqueName,
    snap,
  }) => {
    await api.armRolesFault(project.id, 'POST', { drop: 'after' });

    const user = uniqueName('dropped');
    const dialog = await users.submitNewUser(user);
    await expect(dialog.getByRole('alert')).toContainText(
      /Connection lost|could not be reached|already exists/,
    );
    await snap('new user: connection dropped');
    // The list was read again: the form knows the user now exists and refuses a second one.
    await expect(
      dialog.getByText(`A user named "${user}" already exists on branch main.`),
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(users.user(user)).toHaveCount(1);
    expect(
      (await api.roles(project.id, project.mainBranchId)).filter((r) => r.name === user),
    ).toHaveLength(1);
  });

  test('a connection dropped before the create ends with exactly one user and its password', async ({
    users,
    project,
    api,
    uniqueName,
  }) => {
    await api.armRolesFault(project.id, 'POST', { drop: 'before' });

    const user = uniqueName('retry');
    const dialog = await users.submitNewUser(user);
    const failed = dialog.getByRole('alert').filter({ hasText: LOST });
    await expect(users.createdDialog(user).or(failed)).toBeVisible();
    // Unless Chromium's own resend got through, the user tries again.
    // eslint-disable-next-line playwright/no-conditional-in-test
    if (await failed.isVisible()) await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(users.createdDialog(user)).toBeVisible();
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
    await expect(users.user(user)).toHaveCount(1);
    expect(
      (await api.roles(project.id, project.mainBranchId)).filter((r) => r.name === user),
    ).toHaveLength(1);
  });

  test('the API key never appears in any request or response of the page', async ({
    page,
    users,
    uniqueName,
    keyWatch,
  }) => {
    // The keyWatch fixture checks every test; this one walks every flow on purpose.
    const user = uniqueName('watched');
    await users.createUser(user);
    await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
    await users.resetButton(user).click();
    await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).click();
    await users.newPasswordDialog(user).getByRole('button', { name: 'Close' }).click();
    await users.deleteButton(user).click();
    await users.deleteDialog(user).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(users.user(user)).toHaveCount(0);
    await page.reload();
    await expect(users.table).toBeVisible();
    expect(keyWatch.requests).toBeGreaterThan(10);
    expect(keyWatch.leaks).toEqual([]);
  });
});
