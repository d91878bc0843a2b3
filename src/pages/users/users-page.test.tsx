import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';

let server: ConsoleServer;
beforeEach(async () => {
  server = await startConsoleServer();
});
afterEach(async () => {
  await server.close();
});

async function projectId(): Promise<string> {
  const { projects } = await server.api<{ projects: Array<{ id: string }> }>('/projects');
  return projects[0].id;
}

function rowOf(name: string) {
  return screen
    .getByRole('rowheader', { name: new RegExp(`^${name}(\\s|$)`) })
    .closest('tr') as HTMLElement;
}

describe('users page', () => {
  it('leads from / to the demo project and lists the users of its default branch', async () => {
    renderConsole('/');
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(window.location.pathname).toBe(`/projects/${await projectId()}/settings/users`);
    const table = await screen.findByRole('table', { name: 'Users on branch main' });
    const names = within(table)
      .getAllByRole('rowheader')
      .map((cell) => cell.querySelector('.role-name')?.textContent);
    expect(names).toEqual(['casey', 'demo', 'reporting', 'sally', 'thomas', 'web_access']);
    expect(within(rowOf('web_access')).getByText('Protected')).toBeInTheDocument();
    expect(within(rowOf('reporting')).getByRole('cell', { name: 'analytics' })).toBeInTheDocument();
    expect(within(rowOf('demo')).getByRole('cell', { name: 'neondb' })).toBeInTheDocument();
  });
});

describe('branches and routes', () => {
  it('switches branch through the URL; dev has no thomas', async () => {
    const { user } = renderConsole(`/projects/${await projectId()}/settings/users`);
    await screen.findByRole('table', { name: 'Users on branch main' });
    const select = screen.getByLabelText('Branch');
    expect(within(select).getByRole('option', { name: 'main (default)' })).toBeInTheDocument();
    await user.selectOptions(select, 'dev');
    await screen.findByRole('table', { name: 'Users on branch dev' });
    const { branches } = await server.api<{ branches: Array<{ id: string; name: string }> }>(
      `/projects/${await projectId()}/branches`,
    );
    const dev = branches.find((b) => b.name === 'dev')!;
    expect(new URLSearchParams(window.location.search).get('branch')).toBe(dev.id);
    await waitFor(() =>
      expect(screen.queryByRole('rowheader', { name: /^thomas/ })).not.toBeInTheDocument(),
    );
    expect(rowOf('sally')).toBeInTheDocument();
  });

  it('opens a deep link on a branch', async () => {
    const p = await projectId();
    const { branches } = await server.api<{ branches: Array<{ id: string; name: string }> }>(
      `/projects/${p}/branches`,
    );
    const dev = branches.find((b) => b.name === 'dev')!;
    renderConsole(`/projects/${p}/settings/users?branch=${dev.id}`);
    expect(await screen.findByRole('table', { name: 'Users on branch dev' })).toBeInTheDocument();
    expect(screen.getByLabelText('Branch')).toHaveValue(dev.id);
  });

  it('says clearly when the project or the branch does not exist, with a way back', async () => {
    const { user } = renderConsole('/projects/no-such-project-123/settings/users');
    expect(await screen.findByRole('heading', { name: 'Project not found' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Go to your projects' }));
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
  });

  it('shows a branch not found state for an unknown branch', async () => {
    const { user } = renderConsole(
      `/projects/${await projectId()}/settings/users?branch=br-nope-nope-123456`,
    );
    expect(await screen.findByRole('heading', { name: 'Branch not found' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Show the default branch' }));
    expect(await screen.findByRole('table', { name: 'Users on branch main' })).toBeInTheDocument();
  });
});

describe('search and sort', () => {
  it('filters case-insensitively, shows a no-match state and sorts', async () => {
    const { user } = renderConsole(`/projects/${await projectId()}/settings/users`);
    const table = await screen.findByRole('table', { name: 'Users on branch main' });
    await user.type(screen.getByLabelText('Search'), 'SAL');
    await waitFor(() => expect(within(table).getAllByRole('rowheader')).toHaveLength(1));
    expect(rowOf('sally')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Search'));
    await user.type(screen.getByLabelText('Search'), 'zzz');
    expect(
      await screen.findByRole('heading', { name: 'No users match “zzz”' }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear search' }));

    const sortByName = await screen.findByRole('button', { name: /^Name/ });
    await user.click(sortByName);
    const names = () =>
      screen.getAllByRole('rowheader').map((cell) => cell.querySelector('.role-name')?.textContent);
    await waitFor(() => expect(names()[0]).toBe('web_access'));
    expect(screen.getByRole('columnheader', { name: /^Name/ })).toHaveAttribute(
      'aria-sort',
      'descending',
    );

    await user.click(screen.getByRole('button', { name: /^Created/ }));
    // Newest first: thomas was created last.
    await waitFor(() => expect(names()[0]).toBe('thomas'));
  });
});

describe('projects and list states', () => {
  it('offers a project picker when there are several projects', async () => {
    await server.api('/projects', {
      method: 'POST',
      body: JSON.stringify({ project: { name: 'second-project' } }),
    });
    const { user } = renderConsole('/');
    expect(await screen.findByRole('heading', { name: 'Projects' })).toBeInTheDocument();
    await user.click(await screen.findByRole('link', { name: /second-project/ }));
    expect(await screen.findByRole('table', { name: 'Users on branch main' })).toBeInTheDocument();
    expect(await screen.findByRole('rowheader', { name: /^web_access/ })).toBeInTheDocument();
  });

  it('retries a 503 before showing anything, and shows a designed error state with a retry', async () => {
    await server.fault({
      method: 'GET',
      path: '/projects/*/branches/*/roles',
      status: 503,
      count: 1,
      retry_after: 0,
    });
    const first = renderConsole(`/projects/${await projectId()}/settings/users`, {
      retryReads: true,
    });
    expect(await screen.findByRole('table', { name: 'Users on branch main' })).toBeInTheDocument();
    first.unmount();

    await server.fault({
      method: 'GET',
      path: '/projects/*/branches/*/roles',
      status: 500,
      message: 'roles are unavailable',
    });
    const { user } = renderConsole(`/projects/${await projectId()}/settings/users`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Users could not be loaded. roles are unavailable',
    );
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Users on branch main' })).toBeInTheDocument();
  });
});
