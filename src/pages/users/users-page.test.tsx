import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { renderConsole, startConsoleServer, type ConsoleServer } from '@/test/console-harness';

let server: ConsoleServer;
beforeEach(async () => {
  server = await startConsoleServer();
});
afterEach(async () => {
  await server.close();
});

function rowOf(name: string) {
  return screen
    .getByRole('rowheader', { name: new RegExp(`^${name}(\\s|$)`) })
    .closest('tr') as HTMLElement;
}

describe('users page', () => {
  it('leads from / to the demo project and lists the users of its default branch', async () => {
    renderConsole('/');
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(window.location.pathname).toBe(
      `/projects/${await server.demoProjectId()}/settings/users`,
    );
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
    const first = renderConsole(`/projects/${await server.demoProjectId()}/settings/users`, {
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
    const { user } = renderConsole(`/projects/${await server.demoProjectId()}/settings/users`);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Users could not be loaded. roles are unavailable',
    );
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Users on branch main' })).toBeInTheDocument();
  });
});
