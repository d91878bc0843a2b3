import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from './support/fixtures.ts';
import { NeonApi } from './support/api.ts';
import { OwnServer } from './support/server.ts';
import { UsersPage } from './support/users-page.ts';

const run = promisify(execFile);

// The one journey with real Postgres behind the page (issue #10's "Done when"): a server of
// its own with computes on, so the shared server and every other journey stay without them.
let server: OwnServer;

test.beforeAll(async () => {
  server = await OwnServer.start({ NEON_LOCAL_COMPUTES: '1', NEON_LOCAL_SEED: '0' });
});

test.afterAll(async () => {
  // SIGTERM: the server stops its Postgres processes and removes their temporary clusters.
  await server?.stop('SIGTERM');
});

/** `set -a; . ./<user>.env; psql -c 'select current_user'`, as the README tells a user to. */
async function psqlWithEnvFile(envFile: string): Promise<string> {
  const { stdout } = await run(
    'bash',
    ['-c', `set -a; . ./${path.basename(envFile)}; set +a; psql -XAtc 'select current_user'`],
    // Only the file's variables reach psql: nothing of ours (no PG* of the runner).
    { cwd: path.dirname(envFile), env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 },
  );
  return stdout.trim();
}

async function expectRefused(envFile: string) {
  await expect(psqlWithEnvFile(envFile)).rejects.toThrow(/password authentication failed/);
}

test('a user created in the page logs in to the real Postgres with its Download .env; after a reset only the new password does', async ({
  page,
  uniqueName,
  snap,
}, testInfo) => {
  // initdb of the project's cluster, then a real apply per change: seconds, not milliseconds.
  test.setTimeout(120_000);
  const api = new NeonApi(server.url);
  const created = await api.mutate<{ project: { id: string }; branch: { id: string } }>(
    'POST',
    '/api/v2/projects',
    { project: { name: 'computes-login' } },
  );
  const projectId = created.project.id;
  await api.waitIdle(projectId, 60_000);

  const users = new UsersPage(page);
  await users.goto(`${server.url}/projects/${projectId}/settings/users`);
  const user = uniqueName('lena');
  const first = await users.createUser(user);
  const dialog = users.createdDialog(user);
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download .env' }).click();
  const download = await downloading;
  const firstEnv = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(firstEnv);
  expect(await fs.readFile(firstEnv, 'utf8')).toContain(first);
  await snap('computes: created, .env downloaded');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // As a Neon client does: the role exists once the create's operation has finished.
  await api.waitIdle(projectId, 30_000);
  expect(await psqlWithEnvFile(firstEnv)).toBe(user);

  await users.resetButton(user).click();
  await users.resetDialog(user).getByRole('button', { name: 'Sure, reset' }).click();
  const resetDialog = users.newPasswordDialog(user);
  const second = await users.readPassword(resetDialog);
  expect(second).not.toBe(first);
  const downloadingAgain = page.waitForEvent('download');
  await resetDialog.getByRole('button', { name: 'Download .env' }).click();
  const secondDownload = await downloadingAgain;
  const secondEnv = testInfo.outputPath(`reset-${secondDownload.suggestedFilename()}`);
  await secondDownload.saveAs(secondEnv);
  await resetDialog.getByRole('button', { name: 'Close' }).click();

  await api.waitIdle(projectId, 30_000);
  await expectRefused(firstEnv);
  expect(await psqlWithEnvFile(secondEnv)).toBe(user);
});
