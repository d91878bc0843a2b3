import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NeonApi } from './support/api.ts';
import { expect, test, usersUrl } from './support/fixtures.ts';
import { isMutation, recordRequests } from './support/requests.ts';
import { OwnServer } from './support/server.ts';
import { UsersPage } from './support/users-page.ts';

test.describe('The page under faults', () => {
  test('3 s latency on every request: progress is shown and nothing is sent twice', async ({
    page,
    uniqueName,
    snap,
  }) => {
    test.setTimeout(120_000);
    const server = await OwnServer.start();
    try {
      const api = new NeonApi(server.url);
      const project = await api.createProject(uniqueName('slow'));
      const victim = uniqueName('victim');
      await api.createRole(project.id, project.mainBranchId, victim);
      await api.armFault({ path: '/**', delay_ms: 3_000, count: 1_000 });
      const sent = recordRequests(page, isMutation);
      const users = new UsersPage(page);

      await page.goto(server.url + usersUrl(project.id));
      await expect(
        page
          .getByRole('status')
          .filter({ hasText: /Loading (project|users)…/ })
          .first(),
      ).toBeVisible();
      await expect(users.table).toBeVisible({ timeout: 20_000 });

      // Create: Enter and clicks while "Creating…" send nothing more.
      const user = uniqueName('patient');
      await users.newUserButton.click();
      const name = users.newUserDialog.getByRole('textbox', { name: 'Name' });
      await name.fill(user);
      await name.press('Enter');
      const creating = users.newUserDialog.getByRole('button', { name: 'Creating…' });
      await expect(creating).toBeDisabled();
      await snap('slow: creating');
      await name.press('Enter');
      await expect(users.createdDialog(user)).toBeVisible({ timeout: 20_000 });
      await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();

      // Reset: "Resetting…" while it waits.
      await users.resetButton(victim).click();
      await users.resetDialog(victim).getByRole('button', { name: 'Sure, reset' }).click();
      await expect(
        users.resetDialog(victim).getByRole('button', { name: 'Resetting…' }),
      ).toBeDisabled();
      await snap('slow: resetting');
      await page.keyboard.press('Enter');
      await expect(users.newPasswordDialog(victim)).toBeVisible({ timeout: 20_000 });
      await users.newPasswordDialog(victim).getByRole('button', { name: 'Close' }).click();

      // Delete: "Deleting…" while it waits.
      await expect(users.deleteButton(user)).toBeEnabled({ timeout: 20_000 });
      await users.deleteButton(user).click();
      await users.deleteDialog(user).getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(
        users.deleteDialog(user).getByRole('button', { name: 'Deleting…' }),
      ).toBeDisabled();
      await snap('slow: deleting');
      await page.keyboard.press('Enter');
      await expect(users.deleteDialog(user)).toBeHidden({ timeout: 20_000 });
      await expect(users.user(user)).toHaveCount(0, { timeout: 20_000 });

      const roles = `/api/v2/projects/${project.id}/branches/${project.mainBranchId}/roles`;
      expect(sent.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual([
        `POST ${roles}`,
        `POST ${roles}/${victim}/reset_password`,
        `DELETE ${roles}/${user}`,
      ]);
    } finally {
      await server.stop();
    }
  });

  test('the server restarted while a dialog is open: the page recovers', async ({
    page,
    uniqueName,
    snap,
  }) => {
    test.setTimeout(90_000);
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'neon-e2e-restart-'));
    const server = await OwnServer.start({ NEON_LOCAL_DATA_DIR: dataDir });
    try {
      const api = new NeonApi(server.url);
      const project = await api.projectByName('demo-project');
      const mainId = await api.branchId(project.id, 'main');
      const users = new UsersPage(page);
      await users.goto(server.url + usersUrl(project.id));

      // Submitted while the server is down: told so in the dialog, nothing lost.
      const user = uniqueName('phoenix');
      await users.newUserButton.click();
      const dialog = users.newUserDialog;
      await dialog.getByRole('textbox', { name: 'Name' }).fill(user);
      await server.stop();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog.getByRole('alert')).toContainText(/Connection lost|could not be reached/);
      await snap('restart: server down');
      await server.start();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(users.createdDialog(user)).toBeVisible();
      await users.createdDialog(user).getByRole('button', { name: 'Close' }).click();
      await expect(users.user(user)).toHaveCount(1);

      // Restarted behind an open confirmation: confirming just works.
      await users.resetButton(user).click();
      await expect(users.resetDialog(user)).toBeVisible();
      await server.stop('SIGTERM');
      await server.start();
      await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).click();
      await expect(users.newPasswordDialog(user)).toBeVisible();
      await users.newPasswordDialog(user).getByRole('button', { name: 'Close' }).click();

      expect((await api.roles(project.id, mainId)).filter((r) => r.name === user)).toHaveLength(1);
    } finally {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  test('429 with Retry-After is honoured before the create is sent again', async ({
    users,
    page,
    project,
    api,
    uniqueName,
  }) => {
    await api.armFault({
      method: 'POST',
      path: `/projects/${project.id}/branches/*/roles`,
      status: 429,
      retry_after: 2,
    });
    const times: Array<{ at: number; kind: 'request' | 'response'; status?: number }> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') times.push({ at: Date.now(), kind: 'request' });
    });
    page.on('response', (response) => {
      if (response.request().method() === 'POST')
        times.push({ at: Date.now(), kind: 'response', status: response.status() });
    });

    const user = uniqueName('throttled');
    await users.newUserButton.click();
    await users.newUserDialog.getByRole('textbox', { name: 'Name' }).fill(user);
    await users.newUserDialog.getByRole('button', { name: 'Create' }).click();
    await expect(users.newUserDialog.getByRole('button', { name: 'Creating…' })).toBeDisabled();
    await expect(users.createdDialog(user)).toBeVisible();
    await expect(users.createdDialog(user).getByRole('alert')).toHaveCount(0);

    const requests = times.filter((t) => t.kind === 'request');
    const refused = times.find((t) => t.kind === 'response' && t.status === 429);
    expect(requests).toHaveLength(2);
    expect(refused).toBeDefined();
    // Retry-After: 2 → the second attempt waits about two seconds after the refusal.
    expect(requests[1].at - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1_800);
    expect(
      (await api.roles(project.id, project.mainBranchId)).filter((r) => r.name === user),
    ).toHaveLength(1);
  });

  test('429 with Retry-After on the list: the users appear without an error', async ({
    page,
    project,
    api,
  }) => {
    await api.armFault({
      method: 'GET',
      path: `/projects/${project.id}/branches/*/roles`,
      status: 429,
      retry_after: 1,
    });
    const users = new UsersPage(page);
    await page.goto(project.url());
    await expect(users.user('demo')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
});
