import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';
import { expectForgotten, expectNotShared } from '@/test/secret-checks';

let server: ConsoleServer;
let projectId: string;
beforeEach(async () => {
  server = await startConsoleServer();
  projectId = await server.demoProjectId();
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

  // Show/hide, Copy and the double submit are proven in Chromium (e2e/create.spec.ts);
  // the caches can only be inspected here.
  it('keeps the new password out of the query and mutation caches, the URL and storage', async () => {
    const { user, dialog, queryClient } = await openNewUser();
    await user.type(within(dialog).getByLabelText('Name'), 'app_user');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    const passwordDialog = await screen.findByRole('dialog', { name: 'User app_user created' });
    const password = (within(passwordDialog).getByLabelText('Password') as HTMLInputElement).value;
    expect(password.length).toBeGreaterThanOrEqual(8);

    expectNotShared(queryClient, password);

    await user.click(within(passwordDialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expectForgotten(queryClient, password);
    await waitFor(() => expect(screen.getByRole('button', { name: 'New User' })).toHaveFocus());
    expect(await screen.findByRole('rowheader', { name: /^app_user/ })).toBeInTheDocument();
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
