import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { RememberedRoutes } from './remembered-routes.ts';

function app() {
  const a = new Hono({ router: new RememberedRoutes() });
  a.use('*', async (c, next) => {
    await next();
    c.header('X-Seen', 'yes');
  });
  a.get('/projects/shared', (c) => c.text('shared'));
  a.get('/projects/:projectId/roles/:roleName', (c) =>
    c.text(`${c.req.param('projectId')}/${c.req.param('roleName')}`),
  );
  a.delete('/projects/:projectId/roles/:roleName', (c) =>
    c.text(`gone ${c.req.param('roleName')}`),
  );
  return a;
}

describe('RememberedRoutes', () => {
  it('answers each path with its own params, the second time as the first', async () => {
    const a = app();
    for (let round = 0; round < 2; round++) {
      expect(await (await a.request('/projects/p1/roles/alice')).text()).toBe('p1/alice');
      expect(await (await a.request('/projects/p2/roles/bob%20b')).text()).toBe('p2/bob b');
      expect(await (await a.request('/projects/shared')).text()).toBe('shared');
      const res = await a.request('/projects/p1/roles/alice', { method: 'DELETE' });
      expect(await res.text()).toBe('gone alice');
      expect(res.headers.get('X-Seen')).toBe('yes');
      expect((await a.request('/projects/p1/nothing')).status).toBe(404);
    }
  });

  it('still matches right after many distinct paths have filled its memory', async () => {
    const a = app();
    for (let i = 0; i < 5000; i++) {
      expect(await (await a.request(`/projects/p/roles/r${i}`)).text()).toBe(`p/r${i}`);
    }
    expect(await (await a.request('/projects/p/roles/r0')).text()).toBe('p/r0');
  });

  it('matches paths too long to remember, each time', async () => {
    const a = app();
    const long = 'n'.repeat(600);
    for (let i = 0; i < 2; i++) {
      expect(await (await a.request(`/projects/p/roles/${long}${i}`)).text()).toBe(`p/${long}${i}`);
    }
  });
});
