// The rate limits (NEON_LOCAL_RATE_LIMIT_PER_SECOND / _PER_MINUTE) through the real app, on the
// limiter's own clock moved by hand: fixed windows, per route (method and path template) for
// seconds, for all for minutes.
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessApi, type ApiResponse, type InProcessApi } from './support/api.ts';

let api: InProcessApi | undefined;
afterEach(() => api?.close());

function limited(perSecond: number, perMinute: number) {
  const clock = { now: 0 };
  api = inProcessApi(
    {
      NEON_LOCAL_RATE_LIMIT_PER_SECOND: String(perSecond),
      NEON_LOCAL_RATE_LIMIT_PER_MINUTE: String(perMinute),
    },
    { rateLimitClock: () => clock.now },
  );
  const get = (path: string) => api!.request('GET', path);
  return { clock, get };
}

function expectRefused(res: ApiResponse, retryAfter: number, why: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
  expect(res.body).toMatchObject({
    code: '',
    message: `rate limit exceeded: ${why}; retry after ${retryAfter} s`,
  });
}

describe('rate limits', () => {
  it('per second: the third request to a route in one second is refused, other routes are not', async () => {
    const { clock, get } = limited(2, 0);
    clock.now = 10_000;
    expect((await get('/users/me')).status).toBe(200);
    clock.now = 10_400;
    expect((await get('/users/me')).status).toBe(200);
    expectRefused(
      await get('/users/me'),
      1,
      'more than 2 requests a second to GET /api/v2/users/me',
    );
    expect((await get('/projects')).status).toBe(200);
    clock.now = 10_999;
    expect((await get('/users/me')).status).toBe(429);
    clock.now = 11_000;
    expect((await get('/users/me')).status).toBe(200);
  });

  it('per second counts a route pattern, not each path: two projects share GET /projects/{project_id}', async () => {
    const { clock, get } = limited(2, 0);
    const first = (await get('/projects')).body.projects[0].id;
    clock.now = 1_000;
    const second = (await api!.request('POST', '/projects', { body: { project: {} } })).body.project
      .id;
    clock.now = 2_000;
    expect((await get(`/projects/${first}`)).status).toBe(200);
    expect((await get(`/projects/${second}`)).status).toBe(200);
    expectRefused(
      await get(`/projects/${first}`),
      1,
      'more than 2 requests a second to GET /api/v2/projects/{project_id}',
    );
    // Its branches are another route; "shared" is a route of its own, not a project id.
    expect((await get(`/projects/${second}/branches`)).status).toBe(200);
    expect((await get('/projects/shared')).status).toBe(200);
    // Paths Neon does not have are one route between them.
    expect((await get('/no/such/thing')).status).toBe(404);
    expect((await get('/nor/this')).status).toBe(404);
    expectRefused(
      await get('/nor/that'),
      1,
      "more than 2 requests a second to GET paths Neon's API does not have",
    );
  });

  it('per minute: the eleventh request of a minute is refused until the next one, with the seconds left', async () => {
    const { clock, get } = limited(0, 10);
    clock.now = 135_000; // 15 s into a minute
    for (let i = 0; i < 10; i++) {
      clock.now += 1_000;
      expect((await get(i % 2 ? '/users/me' : '/projects')).status).toBe(200);
    }
    expectRefused(await get('/projects'), 35, 'more than 10 requests a minute');
    clock.now = 179_001;
    expectRefused(await get('/users/me'), 1, 'more than 10 requests a minute');
    clock.now = 180_000;
    expect((await get('/users/me')).status).toBe(200);
  });

  it('0 turns a limit off', async () => {
    const { get } = limited(0, 0);
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) statuses.add((await get('/users/me')).status);
    expect([...statuses]).toEqual([200]);
  });
});
