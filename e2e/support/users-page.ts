import { expect, type Page } from '@playwright/test';

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Settings > Users page, by roles and labels only. */
export class UsersPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'Users', level: 1 });
  }
  get newUserButton() {
    return this.page.getByRole('button', { name: 'New User' });
  }
  get branchSelect() {
    return this.page.getByRole('main').getByRole('combobox', { name: 'Branch' });
  }
  get search() {
    return this.page.getByRole('searchbox', { name: 'Search' });
  }
  get table() {
    return this.page.getByRole('table');
  }
  /** The user's row header: its name, then any badges. */
  user(name: string) {
    return this.page.getByRole('rowheader', { name: new RegExp(`^${escapeRegExp(name)}(\\s|$)`) });
  }
  /** The rows are these users' (each row header starts with the name), in this order; waits until they are. */
  async expectUsers(names: string[]) {
    await expect(this.page.getByRole('rowheader')).toHaveText(
      names.map((name) => new RegExp(`^${escapeRegExp(name)}`)),
    );
  }
  row(name: string) {
    return this.page.getByRole('row').filter({ has: this.user(name) });
  }
  deleteButton(name: string) {
    return this.page.getByRole('button', { name: `Delete user ${name}`, exact: true });
  }
  resetButton(name: string) {
    return this.page.getByRole('button', { name: `Reset password of ${name}`, exact: true });
  }
  connectButton(name: string) {
    return this.page.getByRole('button', { name: `Connect as ${name}`, exact: true });
  }
  get headerConnectButton() {
    return this.page.getByRole('main').getByRole('button', { name: 'Connect', exact: true });
  }

  get connectDialog() {
    return this.page.getByRole('dialog', { name: 'Connect to your database' });
  }
  /** The Connect dialog's text in the chosen format. */
  get connectionText() {
    return this.connectDialog.getByRole('figure').locator('pre');
  }

  get newUserDialog() {
    return this.page.getByRole('dialog', { name: 'New user' });
  }
  createdDialog(name: string) {
    return this.page.getByRole('dialog', { name: `User ${name} created` });
  }
  newPasswordDialog(name: string) {
    return this.page.getByRole('dialog', { name: `New password for ${name}` });
  }
  deleteDialog(name: string) {
    return this.page.getByRole('alertdialog', { name: `Delete user ${name}?` });
  }
  resetDialog(name: string) {
    return this.page.getByRole('alertdialog', { name: `Reset the password of ${name}?` });
  }

  async goto(url: string) {
    await this.page.goto(url);
    await expect(this.heading).toBeVisible();
    await expect(this.table).toBeVisible();
  }

  /** Opens New User, types the name and presses Create; returns the New User dialog. */
  async submitNewUser(name: string) {
    await this.newUserButton.click();
    const dialog = this.newUserDialog;
    await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
    await dialog.getByRole('button', { name: 'Create' }).click();
    return dialog;
  }

  /** Creates a user through the dialog and returns the one-time password it shows (dialog left open). */
  async createUser(name: string) {
    await this.submitNewUser(name);
    return this.readPassword(this.createdDialog(name));
  }

  async readPassword(dialog: ReturnType<UsersPage['createdDialog']>) {
    const password = dialog.getByLabel('Password', { exact: true });
    await expect(password).not.toHaveValue('');
    return password.inputValue();
  }
}

/** The page must forget a one-time password once its dialog has closed. */
export async function expectPasswordForgotten(page: Page, password: string) {
  expect(password.length).toBeGreaterThan(8);
  expect(await page.content()).not.toContain(password);
  expect(page.url()).not.toContain(encodeURIComponent(password));
  const storage = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  );
  expect(storage).not.toContain(password);
}

/**
 * A dotenv reader with shell quoting: 'single' (literal, `'\''` for a quote), "double"
 * (backslash escapes) and bare words, concatenated as a shell would.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2];
    let value = '';
    for (let i = 0; i < raw.length;) {
      const c = raw[i];
      if (c === "'") {
        const end = raw.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated ' in ${match[1]}`);
        value += raw.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < raw.length && raw[i] !== '"') {
          if (raw[i] === '\\' && i + 1 < raw.length) i++;
          value += raw[i++];
        }
        if (raw[i] !== '"') throw new Error(`unterminated " in ${match[1]}`);
        i++;
      } else if (c === '\\' && i + 1 < raw.length) {
        value += raw[i + 1];
        i += 2;
      } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]))) {
        break;
      } else {
        value += c;
        i++;
      }
    }
    env[match[1]] = value;
  }
  return env;
}
