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
  // Empty, too many bytes, duplicates per branch and the 63-byte limit are proven in Chromium
  // (e2e/create.spec.ts), each rule's words in test/name-rules.test.ts.
  it('says as the name is typed why a reserved name is refused, and when SQL must quote it', async () => {
    const { user, dialog } = await openNewUser();
    const name = within(dialog).getByLabelText('Name');
    await user.type(name, 'pg_reader');
    expect(name).toHaveAccessibleDescription(/reserved by Postgres/);
    expect(name).toHaveAttribute('aria-invalid', 'true');
    await user.clear(name);
    await user.type(name, 'neon_superuser');
    expect(name).toHaveAccessibleDescription(/"neon_superuser" is a reserved name/);

    await user.clear(name);
    await user.type(name, 'Report Reader');
    expect(name).toHaveAccessibleDescription(/SQL needs this name quoted: "Report Reader"/);
    expect(name).not.toHaveAttribute('aria-invalid');
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

  it("at the branch's roles limit, shows Neon's refusal in the open dialog and creates nothing", async () => {
    // Demo main holds 6 roles: with a limit of 6, the next one is refused (422 ROLES_LIMIT_EXCEEDED).
    await server.close();
    server = await startConsoleServer({ NEON_LOCAL_ROLES_PER_BRANCH: '6' });
    projectId = await server.demoProjectId();
    const before = await roleNames();
    const { user, dialog } = await openNewUser();
    await user.type(within(dialog).getByLabelText('Name'), 'seventh');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /The user was not created\. branch roles limit of 6 exceeded, got 6/,
    );
    expect(await roleNames()).toEqual(before);
  });
});
