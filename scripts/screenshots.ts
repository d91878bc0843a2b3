// Takes the README's screenshots (docs/*.png): the users page and each dialog, light and dark.
// Run against a fresh local server: `npm run screenshots` (starts one itself on port 4180).
import { spawn } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/settings.ts';
import { testServerEnv } from '../test/support/test-env.ts';

// Not 4190: fetch refuses it (a 'bad port', ManageSieve).
const PORT = 4180;
const BASE = `http://127.0.0.1:${PORT}`;

async function waitForServer() {
  for (let i = 0; i < 900; i++) {
    try {
      if ((await fetch(`${BASE}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not start');
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `docs/${name}.png` });
}

async function journey(page: Page, scheme: string) {
  await page.goto(BASE);
  await page.getByRole('rowheader', { name: /^sally/ }).waitFor();
  await shoot(page, `users-page-${scheme}`);

  await page.getByRole('button', { name: 'New User' }).click();
  const newUser = page.getByRole('dialog', { name: 'New user' });
  await newUser.getByRole('textbox', { name: 'Name' }).fill(`Alex Doe ${scheme}`);
  await shoot(page, `new-user-dialog-${scheme}`);
  await newUser.getByRole('button', { name: 'Create' }).click();
  const created = page.getByRole('dialog', { name: `User Alex Doe ${scheme} created` });
  await created.getByLabel('Password', { exact: true }).waitFor();
  await page
    .getByRole('button', { name: /show password/i })
    .click()
    .catch(() => {});
  await shoot(page, `password-dialog-${scheme}`);
  await page.keyboard.press('Escape');
  await created.waitFor({ state: 'hidden' });

  await page.getByRole('button', { name: 'Delete user sally', exact: true }).click();
  await page.getByRole('alertdialog', { name: 'Delete user sally?' }).waitFor();
  await shoot(page, `delete-dialog-${scheme}`);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Reset password of casey', exact: true }).click();
  await page.getByRole('alertdialog', { name: 'Reset the password of casey?' }).waitFor();
  await shoot(page, `reset-dialog-${scheme}`);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Connect as sally', exact: true }).click();
  const connect = page.getByRole('dialog', { name: 'Connect to your database' });
  await connect.getByRole('figure').locator('pre').waitFor();
  await shoot(page, `connect-dialog-${scheme}`);
  await page.keyboard.press('Escape');
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: { ...process.env, ...testServerEnv({ PORT: String(PORT), NEON_LOCAL_OPERATION_MS: '100' }) },
  stdio: 'inherit',
});
try {
  await waitForServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  for (const scheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({
      colorScheme: scheme,
      viewport: { width: 1200, height: 760 },
    });
    await journey(page, scheme);
    await page.close();
  }
  const small = await browser.newPage({
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
  });
  await small.goto(BASE);
  await small.getByRole('rowheader', { name: /^sally/ }).waitFor();
  await shoot(small, 'users-page-375px');
  await browser.close();
} finally {
  server.kill();
}
