import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';

let server: ConsoleServer;
let projectId: string;
beforeEach(async () => {
  server = await startConsoleServer();
  projectId = await server.demoProjectId();
});
afterEach(async () => {
  await server.close();
});

async function openPage() {
  const view = renderConsole(`/projects/${projectId}/settings/users`);
  await screen.findByRole('table', { name: 'Users on branch main' });
  return view;
}

/** Reset, confirmed: answers the dialog that shows casey's new password. */
async function resetCaseysPassword(user: UserEvent) {
  await user.click(screen.getByRole('button', { name: 'Reset password of casey' }));
  const confirm = await screen.findByRole('alertdialog', { name: 'Reset the password of casey?' });
  await user.click(within(confirm).getByRole('button', { name: 'Sure, reset' }));
  return screen.findByRole('dialog', { name: 'New password for casey' });
}

describe('Delete', () => {
  it('ignores Escape and Cancel while the delete request is in flight', async () => {
    const { user } = await openPage();
    await server.fault({ method: 'DELETE', path: '/projects/*/branches/*/roles/*', delay_ms: 800 });
    await user.click(screen.getByRole('button', { name: 'Delete user sally' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete user sally?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('button', { name: 'Deleting…' })).toBeDisabled();
    await user.keyboard('{Escape}');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(screen.getByRole('alertdialog', { name: 'Delete user sally?' })).toBeInTheDocument();
    // It closes once Neon has answered, onto a list without sally.
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(screen.queryByRole('rowheader', { name: /^sally/ })).not.toBeInTheDocument();
  });

  it('shows the server’s refusal for an owner deleted behind the page’s back', async () => {
    const { user } = await openPage();
    // Another client makes sally own a database after the page loaded its lists.
    const { branches } = await server.api<{ branches: Array<{ id: string; default: boolean }> }>(
      `/projects/${projectId}/branches`,
    );
    const main = branches.find((b) => b.default)!;
    await user.click(screen.getByRole('button', { name: 'Delete user sally' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete user sally?' });
    await server.api(`/projects/${projectId}/branches/${main.id}/databases`, {
      method: 'POST',
      body: JSON.stringify({ database: { name: 'sallys_db', owner_name: 'sally' } }),
    });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(/sally/);
  });
});

describe('Reset password', () => {
  it('shows a failed operation on the row instead of swallowing it', async () => {
    const { user } = await openPage();
    await server.fault({
      method: 'POST',
      path: '/projects/*/branches/*/roles/*/reset_password',
      fail_operations: 'compute did not apply the config',
    });
    const dialog = await resetCaseysPassword(user);
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(
      await screen.findByText(/Last change failed: compute did not apply the config/),
    ).toBeInTheDocument();

    // The page keeps what it started across a branch switch and back.
    await user.selectOptions(screen.getByLabelText('Branch'), 'dev');
    await screen.findByRole('table', { name: 'Users on branch dev' });
    expect(screen.queryByText(/Last change failed/)).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Branch'), 'main (default)');
    await screen.findByRole('table', { name: 'Users on branch main' });
    expect(
      await screen.findByText(/Last change failed: compute did not apply the config/),
    ).toBeInTheDocument();
  });
});

describe('operations', () => {
  it('after a change only the list it changed is read again, once', async () => {
    await server.close();
    server = await startConsoleServer({ NEON_LOCAL_OPERATION_MS: '300' });
    projectId = await server.demoProjectId();
    const { user } = await openPage();
    const reads: string[] = [];
    const inner = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const path = new URL(request.url).pathname.replace(/^\/api\/v2\/projects\/[^/]+/, '');
      if (request.method === 'GET' && !path.endsWith('/operations'))
        reads.push(path.replace(/\/branches\/[^/]+/, '/branches/B'));
      return inner(input, init);
    };

    const dialog = await resetCaseysPassword(user);
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    const row = screen.getByRole('rowheader', { name: /^casey/ }).closest('tr')!;
    await waitFor(() =>
      expect(within(row).queryByText(/Applying changes/)).not.toBeInTheDocument(),
    );
    // Longer than a poll: a refetch when the operations end would have happened by now.
    await new Promise((resolve) => setTimeout(resolve, 800));
    // The roles list once; the endpoints once, for the password dialog's .env (not cached before).
    expect(reads.sort()).toEqual(['/branches/B/endpoints', '/branches/B/roles']);
  });

  it('shows progress on the row while its operations run; a delete meanwhile says it waits, then succeeds', async () => {
    await server.close();
    server = await startConsoleServer({ NEON_LOCAL_OPERATION_MS: '1500' });
    projectId = await server.demoProjectId();
    const { user } = await openPage();
    const dialog = await resetCaseysPassword(user);

    // The row (behind the modal, hence queried by text) shows progress at once.
    const row = screen.getByRole('rowheader', { name: /^casey/, hidden: true }).closest('tr')!;
    expect(await within(row).findByText(/Applying changes/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));

    // Delete stays usable: its confirmation says the change is still being applied.
    const remove = within(row).getByRole('button', { name: 'Delete user casey' });
    expect(remove).not.toHaveAttribute('aria-disabled');
    await user.click(remove);
    const deletion = await screen.findByRole('alertdialog', { name: 'Delete user casey?' });
    expect(
      within(deletion).getByText(/A change to casey is still being applied. Delete waits/),
    ).toBeInTheDocument();
    await user.click(within(deletion).getByRole('button', { name: 'Delete' }));
    // Neon answers 423 until the reset's operation ends; the console retries, then it is gone.
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument(), {
      timeout: 10_000,
    });
    expect(screen.queryByRole('rowheader', { name: /^casey/ })).not.toBeInTheDocument();
  });
});
