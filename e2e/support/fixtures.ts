import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { NeonApi } from './api.ts';
import { E2E_API_KEY } from './settings.ts';
import { UsersPage } from './users-page.ts';

export interface TestProject {
  id: string;
  mainBranchId: string;
  /** The users page of this project, on a branch when given. */
  url(branchId?: string): string;
}

interface Fixtures {
  api: NeonApi;
  /**
   * A project of this test's own, so its users, operations (and the 423s they cause) and
   * faults (scoped by `/projects/<id>/…`) cannot touch another test. The seeded demo
   * project is only ever read.
   */
  project: TestProject;
  /** The users page of `project`, open on its main branch. */
  users: UsersPage;
  /**
   * A user of `project`'s main branch made through the API, then the users page opened on
   * that branch, listing it. The password is the one the API returned.
   */
  listedUser: { name: string; password: string; users: UsersPage };
  /** A name no other test uses: a lowercase identifier, so SQL needs no quotes. */
  uniqueName: (prefix: string) => string;
  /** Keeps a screenshot of the current state as an artifact of the test. */
  snap: (label: string) => Promise<void>;
  /** Every request and response of the page, checked for the API key after the test. */
  keyWatch: { requests: number; leaks: string[] };
}

export function usersUrl(projectId: string, branchId?: string): string {
  return `/projects/${projectId}/settings/users${branchId ? `?branch=${branchId}` : ''}`;
}

let counter = 0;
const checkedAssets = new Set<string>();

export const test = base.extend<Fixtures>({
  api: async ({}, use) => {
    await use(new NeonApi());
  },
  project: async ({ api }, use, testInfo) => {
    const { id, mainBranchId } = await api.createProject(
      `e2e-${testInfo.testId}-${testInfo.repeatEachIndex}`,
    );
    await use({ id, mainBranchId, url: (branchId) => usersUrl(id, branchId) });
  },
  users: async ({ page, project }, use) => {
    const users = new UsersPage(page);
    await users.goto(project.url());
    await use(users);
  },
  listedUser: async ({ page, project, api, uniqueName }, use) => {
    const name = uniqueName('user');
    const { password } = await api.createRole(project.id, project.mainBranchId, name);
    const users = new UsersPage(page);
    await users.goto(project.url());
    await expect(users.user(name)).toBeVisible();
    await use({ name, password: password!, users });
  },
  uniqueName: async ({}, use, testInfo) => {
    await use(
      (prefix) =>
        `${prefix}_w${testInfo.workerIndex}_${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    );
  },
  snap: async ({ page }, use, testInfo) => {
    await use((label) => attachScreenshot(page, testInfo, label));
  },
  keyWatch: [
    async ({ page }, use) => {
      const watch = { requests: 0, leaks: [] as string[] };
      const pending: Promise<void>[] = [];
      page.on('request', (request) => {
        watch.requests++;
        pending.push(
          request
            .allHeaders()
            // Requests still in flight when the test ends: the headers Playwright already has.
            .catch(() => request.headers())
            .then((headers) => {
              const seen = [request.url(), JSON.stringify(headers), request.postData() ?? ''].join(
                '\n',
              );
              if (seen.includes(E2E_API_KEY))
                watch.leaks.push(`request ${request.method()} ${request.url()}`);
            }),
        );
      });
      page.on('response', (response) => {
        // Hashed assets never change: read each once per worker.
        if (checkedAssets.has(response.url())) return;
        if (new URL(response.url()).pathname.startsWith('/assets/'))
          checkedAssets.add(response.url());
        pending.push(
          (async () => {
            const headers = JSON.stringify(
              await response.allHeaders().catch(() => response.headers()),
            );
            // Bodies of redirects and of responses cut off by the test's end are not readable.
            const body = await response.text().catch(() => '');
            if (headers.includes(E2E_API_KEY) || body.includes(E2E_API_KEY)) {
              watch.leaks.push(`response ${response.status()} ${response.url()}`);
            }
          })(),
        );
      });
      await use(watch);
      await Promise.allSettled(pending);
      expect(watch.leaks, 'the API key must never reach the browser').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Written under test-results/playwright/<test>/ and attached to the report, so it is kept as an artifact. */
export async function attachScreenshot(page: Page, testInfo: TestInfo, label: string) {
  const file = testInfo.outputPath(`${label.replace(/[^\w-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(label, { path: file, contentType: 'image/png' });
}
