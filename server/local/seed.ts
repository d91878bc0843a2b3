import type { Store } from './store/store.ts';

const DAY = 86_400_000;

/**
 * The demo project, laid out so that every rule of the page shows at first sight: the
 * account's default user owns `neondb`, `web_access` is protected, `reporting` owns a
 * second database, and `dev` was made from a point in time before `thomas` existed.
 */
export function seedDemoProject(
  store: Store,
  account: string,
  orgId: string,
  now = Date.now(),
): void {
  // Its layout is fixed: settings that lower the limits below it apply to what comes after.
  store.withoutLimits(() => seed(store, account, orgId, now));
}

function seed(store: Store, account: string, orgId: string, now: number): void {
  const start = now - 14 * DAY;
  const { project, branch: main } = store.createProject(
    { orgId, name: 'demo-project', roleName: account, databaseName: 'neondb' },
    { at: start },
  ).value;
  const on = (daysAgo: number) => ({ at: now - daysAgo * DAY });
  store.createRole(project.id, main.id, 'casey', on(13));
  store.createRole(project.id, main.id, 'sally', on(12));
  store.createRole(project.id, main.id, 'reporting', on(10));
  store.createDatabase(
    project.id,
    main.id,
    { name: 'analytics', owner: 'reporting' },
    on(10 - 0.01),
  );
  store.createRole(project.id, main.id, 'thomas', on(4));
  store.createBranch(
    project.id,
    {
      name: 'dev',
      parentId: main.id,
      point: { timestamp: now - 5 * DAY },
      endpoints: [{ type: 'read_write' }],
    },
    on(3),
  );
}
