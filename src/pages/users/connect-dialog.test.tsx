import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';
import { expectForgotten, expectNotShared } from '@/test/secret-checks';

let server: ConsoleServer;
let projectId: string;
let mainId: string;
let endpoint: { id: string; host: string };
beforeEach(async () => {
  server = await startConsoleServer();
  projectId = await server.demoProjectId();
  const { branches } = await server.api<{ branches: Array<{ id: string; default: boolean }> }>(
    `/projects/${projectId}/branches`,
  );
  mainId = branches.find((b) => b.default)!.id;
  const { endpoints } = await server.api<{
    endpoints: Array<{ id: string; host: string; type: string }>;
  }>(`/projects/${projectId}/branches/${mainId}/endpoints`);
  endpoint = endpoints.find((e) => e.type === 'read_write')!;
});
afterEach(async () => {
  await server.close();
});

/** Counts the page's requests whose path ends with `suffix`. */
function countRequests(suffix: string) {
  const counter = { count: 0 };
  const inner = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname.endsWith(suffix)) counter.count++;
    return inner(input, init);
  };
  return counter;
}

async function openConnect(name: string) {
  const view = renderConsole(`/projects/${projectId}/settings/users`);
  await screen.findByRole('table', { name: 'Users on branch main' });
  await view.user.click(screen.getByRole('button', { name: `Connect as ${name}` }));
  // The first open may show the stand-in while the dialogs' code compiles.
  await screen.findByRole('combobox', { name: 'User' });
  const dialog = screen.getByRole('dialog', { name: 'Connect to your database' });
  const text = () => within(dialog).getByRole('figure').querySelector('pre')!.textContent;
  await waitFor(() => expect(within(dialog).getByRole('figure')).toBeInTheDocument());
  return { ...view, dialog, text };
}

const pooler = () => endpoint.host.replace(endpoint.id, `${endpoint.id}-pooler`);
const SSL = 'sslmode=require&channel_binding=require';

describe('Connect dialog', () => {
  it('opens as the row’s user with a pooled URL, password masked; each format; direct', async () => {
    const { user, dialog, text } = await openConnect('sally');
    expect(dialog).toHaveAccessibleDescription(/password stays hidden until you show it/);
    expect(within(dialog).getByRole('combobox', { name: 'Branch' })).toHaveDisplayValue(
      'main (default)',
    );
    expect(within(dialog).getByRole('combobox', { name: 'User' })).toHaveValue('sally');
    expect(within(dialog).getByRole('combobox', { name: 'Database' })).toHaveValue('neondb');
    expect(text()).toBe(`postgresql://sally:********@${pooler()}/neondb?${SSL}`);

    const format = within(dialog).getByRole('combobox', { name: 'Format' });
    await user.selectOptions(format, 'psql');
    expect(text()).toBe(`psql 'postgresql://sally:********@${pooler()}/neondb?${SSL}'`);
    await user.selectOptions(format, '.env');
    expect(text()).toContain(`PGHOST='${pooler()}'\nPGPORT='5432'\n`);
    expect(text()).toContain("PGUSER='sally'\nPGPASSWORD='********'\n");
    await user.selectOptions(format, 'Node.js (node-postgres)');
    expect(text()).toContain('new pg.Client({ connectionString: process.env.DATABASE_URL })');
    expect(within(dialog).queryByRole('button', { name: 'Show password' })).toBeNull();
    await user.selectOptions(format, 'Prisma');
    expect(text()).toContain('url      = env("DATABASE_URL")');
    await user.selectOptions(format, 'Python (psycopg)');
    expect(text()).toContain('psycopg.connect(os.environ["DATABASE_URL"])');

    await user.selectOptions(format, 'Connection string');
    await user.click(within(dialog).getByRole('switch', { name: 'Connection pooling' }));
    expect(text()).toBe(`postgresql://sally:********@${endpoint.host}/neondb?${SSL}`);
    await user.selectOptions(
      within(dialog).getByRole('combobox', { name: 'Database' }),
      'analytics',
    );
    expect(text()).toBe(`postgresql://sally:********@${endpoint.host}/analytics?${SSL}`);

    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(
      await within(dialog).findByText(/Copied, without the password: press Show password/),
    ).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(text());
  });

  it('fetches the password only on Show, never into the query cache, and forgets it', async () => {
    const reveals = countRequests('/reveal_password');
    const { user, dialog, text, queryClient } = await openConnect('sally');
    expect(reveals.count).toBe(0);

    await user.click(within(dialog).getByRole('button', { name: 'Show password' }));
    await within(dialog).findByRole('button', { name: 'Hide password' });
    const { password } = await server.api<{ password: string }>(
      `/projects/${projectId}/branches/${mainId}/roles/sally/reveal_password`,
    );
    expect(reveals.count).toBe(1);
    expect(text()).toBe(
      `postgresql://sally:${encodeURIComponent(password)}@${pooler()}/neondb?${SSL}`,
    );
    expectNotShared(queryClient, password);

    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(await within(dialog).findByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toContain(encodeURIComponent(password));

    // Another user: the password shown was sally's, so it goes.
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'User' }), 'casey');
    expect(text()).toBe(`postgresql://casey:********@${pooler()}/neondb?${SSL}`);
    expect(document.body.innerHTML).not.toContain(password);
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expectForgotten(queryClient, password);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Connect as sally' })).toHaveFocus(),
    );
  });

  it('offers the header’s Connect as the branch’s owner, and Reset password leads into that flow', async () => {
    const view = renderConsole(`/projects/${projectId}/settings/users`);
    await screen.findByRole('table', { name: 'Users on branch main' });
    await view.user.click(screen.getByRole('button', { name: 'Connect' }));
    const role = await screen.findByRole('combobox', { name: 'User' });
    // neondb, the default database, is demo's.
    expect(role).toHaveValue('demo');
    await view.user.click(await screen.findByRole('button', { name: 'Reset password' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Reset the password of demo?' });
    await view.user.click(within(confirm).getByRole('button', { name: 'Sure, reset' }));
    expect(
      await screen.findByRole('dialog', { name: 'New password for demo' }),
    ).toBeInTheDocument();
  });
});

describe('users who cannot log in (no_login)', () => {
  it('marks them, refuses a reset with the reason, and Connect says it cannot log in', async () => {
    await server.api(`/projects/${projectId}/branches/${mainId}/roles`, {
      method: 'POST',
      body: JSON.stringify({ role: { name: 'nolan', no_login: true } }),
    });
    const { user } = renderConsole(`/projects/${projectId}/settings/users`);
    const header = await screen.findByRole('rowheader', { name: /^nolan/ });
    expect(within(header).getByText('Cannot log in')).toBeInTheDocument();
    const reset = screen.getByRole('button', { name: 'Reset password of nolan' });
    expect(reset).toHaveAttribute('aria-disabled', 'true');
    expect(reset).toHaveAccessibleDescription(
      'nolan cannot log in, so it has no password to reset.',
    );

    await user.click(screen.getByRole('button', { name: 'Connect as nolan' }));
    await screen.findByRole('combobox', { name: 'User' });
    const dialog = screen.getByRole('dialog', { name: 'Connect to your database' });
    expect(
      await within(dialog).findByText(/nolan cannot log in: it has no password/),
    ).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Copy' })).toBeNull();
    expect(
      within(dialog).getByRole('option', { name: 'nolan (cannot log in)' }),
    ).toBeInTheDocument();
  });
  // Creating one ("Can log in" off) is proven in Chromium: e2e/connect.spec.ts.
});
