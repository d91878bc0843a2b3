import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';

let server: ConsoleServer;
let projectId: string;
beforeEach(async () => {
  server = await startConsoleServer();
  const { projects } = await server.api<{ projects: Array<{ id: string }> }>('/projects');
  projectId = projects[0].id;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

async function roleNames(branchName = 'main'): Promise<string[]> {
  const { branches } = await server.api<{ branches: Array<{ id: string; name: string }> }>(
    `/projects/${projectId}/branches`,
  );
  const branch = branches.find((b) => b.name === branchName)!;
  const { roles } = await server.api<{ roles: Array<{ name: string }> }>(
    `/projects/${projectId}/branches/${branch.id}/roles`,
  );
  return roles.map((r) => r.name);
}

async function openNewUser() {
  const view = renderConsole(`/projects/${projectId}/settings/users`);
  await screen.findByRole('table', { name: 'Users on branch main' });
  await view.user.click(screen.getByRole('button', { name: 'New User' }));
  // The first open may show the stand-in while the dialogs' code compiles: wait for the form.
  await screen.findByRole('textbox', { name: 'Name' });
  const dialog = screen.getByRole('dialog', { name: 'New user' });
  return { ...view, dialog };
}

describe('New User dialog', () => {
  it('checks the name as it is typed: bytes, reserved names, duplicates per branch, quoting', async () => {
    const { user, dialog } = await openNewUser();
    const name = within(dialog).getByLabelText('Name');
    expect(name).toHaveFocus();
    expect(within(dialog).getByLabelText('Branch')).toHaveDisplayValue('main (default)');
    expect(within(dialog).getByText('0/63 bytes')).toBeInTheDocument();

    await user.type(name, 'é');
    expect(within(dialog).getByText('2/63 bytes')).toBeInTheDocument();
    await user.clear(name);
    await user.click(name);
    await user.paste('ü'.repeat(32));
    expect(within(dialog).getByText('64/63 bytes')).toBeInTheDocument();
    expect(name).toHaveAccessibleDescription(/the limit is 63 bytes/);
    expect(name).toHaveAttribute('aria-invalid', 'true');

    await user.clear(name);
    await user.type(name, 'pg_reader');
    expect(name).toHaveAccessibleDescription(/reserved by Postgres/);
    await user.clear(name);
    await user.type(name, 'neon_superuser');
    expect(name).toHaveAccessibleDescription(/"neon_superuser" is a reserved name/);

    await user.clear(name);
    await user.type(name, 'thomas');
    await waitFor(() => expect(name).toHaveAccessibleDescription(/already exists on branch main/));
    // thomas was created after dev's point in time, so dev is free to have one.
    await user.selectOptions(within(dialog).getByLabelText('Branch'), 'dev');
    await waitFor(() => expect(name).not.toHaveAttribute('aria-invalid'));

    await user.clear(name);
    await user.type(name, 'Report Reader');
    expect(name).toHaveAccessibleDescription(/SQL needs this name quoted: "Report Reader"/);

    await user.clear(name);
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(name).toHaveAccessibleDescription(/Enter a name/);
  });

  it('creates exactly once however often Create and Enter are pressed, then shows the password once', async () => {
    const { user, dialog, queryClient } = await openNewUser();
    await user.type(within(dialog).getByLabelText('Name'), 'app_user');
    const create = within(dialog).getByRole('button', { name: 'Create' });
    await user.dblClick(create);
    await user.keyboard('{Enter}{Enter}');

    const passwordDialog = await screen.findByRole('dialog', { name: 'User app_user created' });
    expect(passwordDialog).toHaveAccessibleDescription(
      /cannot see it again after you close this dialog/,
    );
    expect((await roleNames()).filter((n) => n === 'app_user')).toHaveLength(1);

    const field = within(passwordDialog).getByLabelText('Password') as HTMLInputElement;
    const password = field.value;
    expect(password.length).toBeGreaterThanOrEqual(8);
    expect(field).toHaveAttribute('type', 'password');
    await user.click(within(passwordDialog).getByRole('button', { name: 'Show password' }));
    expect(field).toHaveAttribute('type', 'text');
    await user.click(within(passwordDialog).getByRole('button', { name: 'Hide password' }));
    expect(field).toHaveAttribute('type', 'password');

    // Focus starts on Copy, so the surplus Enter presses above may already have copied:
    // the worst a hammered Enter can do here is copy, never close.
    await user.click(within(passwordDialog).getByRole('button', { name: /^Cop(y|ied)$/ }));
    expect(
      await within(passwordDialog).findByRole('button', { name: 'Copied' }),
    ).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(password);

    // The password is in no shared state: not in the query cache, URL or storage.
    const cached = JSON.stringify(
      queryClient
        .getQueryCache()
        .getAll()
        .map((q) => q.state.data),
    );
    expect(cached).not.toContain(password);
    expect(window.location.href).not.toContain(password);
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(password);

    await user.click(within(passwordDialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain(password);
    const mutations = JSON.stringify(
      queryClient
        .getMutationCache()
        .getAll()
        .map((m) => m.state.data),
    );
    expect(mutations).not.toContain(password);
    await waitFor(() => expect(screen.getByRole('button', { name: 'New User' })).toHaveFocus());
    expect(await screen.findByRole('rowheader', { name: /^app_user/ })).toBeInTheDocument();
  });

  it('downloads a .env for the read-write endpoint, and offers select-to-copy when the clipboard refuses', async () => {
    const { user, dialog } = await openNewUser();
    await user.type(within(dialog).getByLabelText('Name'), "o'brien-app");
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    const passwordDialog = await screen.findByRole('dialog', { name: "User o'brien-app created" });
    const password = (within(passwordDialog).getByLabelText('Password') as HTMLInputElement).value;

    let blob: Blob | undefined;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:env';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const download = within(passwordDialog).getByRole('button', { name: 'Download .env' });
    await waitFor(() => expect(download).toBeEnabled());
    await user.click(download);
    expect(click).toHaveBeenCalledOnce();
    const text = await blob!.text();
    const { endpoints } = await server.api<{
      endpoints: Array<{ host: string; type: string; branch_id: string }>;
    }>(`/projects/${projectId}/endpoints`);
    const mainBranch = (
      await server.api<{ branches: Array<{ id: string; default: boolean }> }>(
        `/projects/${projectId}/branches`,
      )
    ).branches.find((b) => b.default)!;
    const host = endpoints.find(
      (e) => e.branch_id === mainBranch.id && e.type === 'read_write',
    )!.host;
    expect(text).toContain(`PGHOST='${host}'\n`);
    expect(text).toContain(`PGUSER="o'brien-app"\n`);
    expect(text).toContain(`PGPASSWORD='${password}'\n`);
    expect(text).toContain("PGDATABASE='neondb'\n");
    expect(text).toContain(
      `DATABASE_URL='postgresql://o%27brien-app:${encodeURIComponent(password)}@${host}/neondb?sslmode=require&channel_binding=require'`,
    );

    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('denied', 'NotAllowedError'),
    );
    await user.click(within(passwordDialog).getByRole('button', { name: 'Copy' }));
    const fallback = await within(passwordDialog).findByLabelText(/Your browser blocked copying/);
    expect(fallback).toHaveValue(password);
    expect(fallback).toHaveAttribute('readonly');
  });

  it('shows Neon’s refusal inside the dialog and keeps it open', async () => {
    const { user, dialog } = await openNewUser();
    await server.fault({
      method: 'POST',
      path: '/projects/*/branches/*/roles',
      status: 500,
      message: 'the role store is on fire',
    });
    await user.type(within(dialog).getByLabelText('Name'), 'someone');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('the role store is on fire');
    expect(within(dialog).getByRole('button', { name: 'Create' })).toBeEnabled();
  });

  it('retries a 423 (operation still running) and then succeeds', async () => {
    const { user, dialog } = await openNewUser();
    await server.fault({
      method: 'POST',
      path: '/projects/*/branches/*/roles',
      status: 423,
      count: 2,
      retry_after: 0,
    });
    await user.type(within(dialog).getByLabelText('Name'), 'patient');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByRole('dialog', { name: 'User patient created' }, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect((await roleNames()).filter((n) => n === 'patient')).toHaveLength(1);
  });

  it('never re-sends a create after a network error; it re-reads the list instead', async () => {
    const { user, dialog } = await openNewUser();
    await server.fault({ method: 'POST', path: '/projects/*/branches/*/roles', drop: 'after' });
    await user.type(within(dialog).getByLabelText('Name'), 'ghost');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /unknown whether this was applied. It was not sent again/,
    );
    expect((await roleNames()).filter((n) => n === 'ghost')).toHaveLength(1);
    // The re-read list now knows ghost, so the form says so instead of trying again.
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Name')).toHaveAccessibleDescription(/already exists/),
    );
    await user.keyboard('{Escape}');
    expect(await screen.findByRole('rowheader', { name: /^ghost/ })).toBeInTheDocument();
  });
});

describe('keyboard only', () => {
  it('creates a user, reads its password and closes without a mouse', async () => {
    const { user } = renderConsole(`/projects/${projectId}/settings/users`);
    await screen.findByRole('table', { name: 'Users on branch main' });
    const newUser = screen.getByRole('button', { name: 'New User' });
    newUser.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    expect(within(dialog).getByLabelText('Name')).toHaveFocus();
    await user.keyboard('keys_only{Enter}');
    const passwordDialog = await screen.findByRole('dialog', { name: 'User keys_only created' });
    await waitFor(() =>
      expect(within(passwordDialog).getByRole('button', { name: 'Copy' })).toHaveFocus(),
    );
    // Tab reaches the show/hide toggle and the actions, and stays inside the dialog.
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await user.tab();
      stops.push(
        document.activeElement?.getAttribute('aria-label') ??
          document.activeElement?.textContent ??
          '',
      );
      expect(passwordDialog).toContainElement(document.activeElement as HTMLElement);
    }
    expect(stops).toEqual(
      expect.arrayContaining(['Show password', 'Copy', 'Download .env', 'Close']),
    );
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await waitFor(() => expect(newUser).toHaveFocus());
  });
});
