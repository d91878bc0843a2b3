import fs from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Page,
} from '@playwright/test';
import { API_KEY, makeDataDir, startLocalApi } from './api.ts';
import { buildConsole } from './lib/bundle-size.ts';
import { installProbe, type Check, type Timing } from './lib/page-probe.ts';
import { fmt, median, type Row } from './lib/report.ts';
import { BIG_BRANCH_ROLES, seedBenchData, type BenchData } from './lib/seed.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/settings.ts';

/** Operations take this long, as on Neon; the create/reset goals are relative to it. */
const OPERATION_MS = 500;
const VIEWPORT = { width: 1280, height: 800 };
/** The users table's overscan (src/pages/users/users-table.tsx). */
const OVERSCAN = 4;

// tsx (esbuild keepNames) wraps functions in __name(); the page has no such helper.
const probeScript = (initial: Check | null) =>
  `var __name = (f) => f;\n(${installProbe.toString()})(${JSON.stringify(initial)});`;

// Renderer main-thread CPU time (CDP Performance.getMetrics "ThreadTime"). Unlike wall time
// it hardly grows when other processes compete for the cores, so it is reported alongside.
const sessions = new WeakMap<Page, CDPSession>();
async function cdpFor(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = await page.context().newCDPSession(page);
    await session.send('Performance.enable');
    sessions.set(page, session);
  }
  return session;
}
async function threadMs(page: Page): Promise<number> {
  const { metrics } = (await (await cdpFor(page)).send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
}

async function timed(
  page: Page,
  check: Check,
  action: () => Promise<unknown>,
): Promise<Timing & { cpu: number }> {
  await page.evaluate((c) => window.__bench.arm(c), check);
  const cpu0 = await threadMs(page);
  await action();
  const timing = await page.evaluate(() => window.__bench.pending!);
  return { ...timing, cpu: (await threadMs(page)) - cpu0 };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type CpuFigures = Partial<Record<keyof RepeatFigures, number>>;

interface RepeatFigures {
  coldLoad: number;
  openNew: number;
  createToPassword: number;
  openReset: number;
  resetToPassword: number;
  openDelete: number;
  openConnect: number;
  branchSwitch: number;
  bigNavToPaint: number;
  bigDataToPaint: number;
  keystroke: number;
  longTasksScroll: number;
  longestTaskScroll: number;
  longestTaskSearch: number;
  domRows: number;
  screenful: number;
  heapBytes: number;
  cpu: CpuFigures;
}

async function oneRepeat(
  browser: Browser,
  base: string,
  data: BenchData,
  rep: number,
): Promise<RepeatFigures> {
  const context: BrowserContext = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const usersUrl = `${base}/projects/${data.projectId}/settings/users`;

    // Cold: fresh context (empty cache, no cookie), navigation start → first rows painted.
    await page.addInitScript({
      content: probeScript({ kind: 'row', caption: 'Users on branch main$', row: 'user_00000' }),
    });
    await cdpFor(page);
    await page.goto(usersUrl);
    const cold = await page.evaluate(() => window.__bench.pending!);
    const coldCpu = await threadMs(page);
    await page.getByRole('row', { name: /user_00000/ }).waitFor();

    // New User → dialog; Create → one-time password.
    const openNew = await timed(page, { kind: 'dialog', title: '^New user$' }, () =>
      page.getByRole('button', { name: 'New User' }).click(),
    );
    const name = `page_user_${rep}_${Date.now().toString(36)}`;
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Name').fill(name);
    const created = await timed(
      page,
      { kind: 'password', title: `^User ${esc(name)} created$` },
      () => dialog.getByRole('button', { name: 'Create' }).click(),
    );
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Let the operation finish: the next change would be answered 423 (and retried) before.
    await page.waitForTimeout(OPERATION_MS + 150);

    // Reset password → confirmation; Sure, reset → new password.
    const openReset = await timed(
      page,
      { kind: 'dialog', title: '^Reset the password of user_00001\\?$' },
      () => page.getByRole('button', { name: 'Reset password of user_00001' }).click(),
    );
    const reset = await timed(
      page,
      { kind: 'password', title: '^New password for user_00001$' },
      () => page.getByRole('alertdialog').getByRole('button', { name: 'Sure, reset' }).click(),
    );
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.waitForTimeout(OPERATION_MS + 150);

    // Delete → confirmation (cancelled).
    const openDelete = await timed(
      page,
      { kind: 'dialog', title: '^Delete user user_00002\\?$' },
      () => page.getByRole('button', { name: 'Delete user user_00002' }).click(),
    );
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });

    // Connect (as a row's user) → dialog.
    const openConnect = await timed(
      page,
      { kind: 'dialog', title: '^Connect to your database$' },
      () => page.getByRole('button', { name: 'Connect as user_00003' }).click(),
    );
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // Branch switch main → dev (not cached yet): change event → dev's rows painted.
    const branchSwitch = await timed(
      page,
      { kind: 'row', caption: 'Users on branch dev$', row: 'dev_only_user' },
      () => page.getByLabel('Branch').selectOption(data.devBranchId),
    );

    // Big branch in a new page of the same context (assets cached, data not).
    const big = await context.newPage();
    await big.addInitScript({
      content: probeScript({ kind: 'row', caption: 'Users on branch big$', row: 'bench_owner' }),
    });
    await cdpFor(big);
    await big.goto(`${usersUrl}?branch=${data.bigBranchId}`);
    const bigPaint = await big.evaluate(() => window.__bench.pending!);
    const bigCpu = await threadMs(big);
    const rolesResponseEnd = await big.evaluate(
      () =>
        performance
          .getEntriesByType('resource')
          .filter((e) => /\/roles(\?|$)/.test(e.name))
          .map((e) => (e as PerformanceResourceTiming).responseEnd)[0] ?? NaN,
    );
    await big.getByRole('row', { name: /bench_owner/ }).waitFor();

    const cdp = await cdpFor(big);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };

    // One keystroke in the search box → the filtered rows painted.
    const search = big.getByLabel('Search');
    await search.click();
    const tasksBeforeSearch = await big.evaluate(() => window.__bench.longTasks.length);
    const keystroke = await timed(
      big,
      { kind: 'live', text: `^\\d+ of ${BIG_BRANCH_ROLES} users$` },
      () => big.keyboard.press('9'),
    );
    await big.waitForTimeout(200);
    const searchTasks = await big.evaluate(
      (from) => window.__bench.longTasks.slice(from),
      tasksBeforeSearch,
    );
    await search.fill('');
    await big.getByText(`${BIG_BRANCH_ROLES} users`, { exact: true }).waitFor();

    // Scroll through the list with the wheel, 40 × 600 px, ~16 ms apart.
    await big.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
    const tasksBeforeScroll = await big.evaluate(() => window.__bench.longTasks.length);
    let domRows = 0;
    for (let i = 0; i < 40; i++) {
      await big.mouse.wheel(0, 600);
      await big.waitForTimeout(16);
      if (i % 10 === 9) {
        domRows = Math.max(
          domRows,
          await big.evaluate(
            () => document.querySelectorAll('table tbody tr:not([aria-hidden="true"])').length,
          ),
        );
      }
    }
    await big.waitForTimeout(300);
    const scrollTasks = await big.evaluate(
      (from) => window.__bench.longTasks.slice(from),
      tasksBeforeScroll,
    );
    const rowHeight = await big.evaluate(
      () =>
        document.querySelector('table tbody tr:not([aria-hidden="true"])')?.getBoundingClientRect()
          .height ?? 57,
    );
    const scrolled = await big.evaluate(() => window.scrollY);
    if (scrolled < 1000) throw new Error(`the page did not scroll (scrollY ${scrolled})`);

    return {
      coldLoad: cold.paint,
      openNew: openNew.paint - openNew.start,
      createToPassword: created.paint - created.start,
      openReset: openReset.paint - openReset.start,
      resetToPassword: reset.paint - reset.start,
      openDelete: openDelete.paint - openDelete.start,
      openConnect: openConnect.paint - openConnect.start,
      branchSwitch: branchSwitch.paint - branchSwitch.start,
      bigNavToPaint: bigPaint.paint,
      bigDataToPaint: bigPaint.paint - rolesResponseEnd,
      keystroke: keystroke.paint - keystroke.start,
      longTasksScroll: scrollTasks.filter((t) => t.duration > 50).length,
      longestTaskScroll: Math.max(0, ...scrollTasks.map((t) => t.duration)),
      longestTaskSearch: Math.max(0, ...searchTasks.map((t) => t.duration)),
      domRows,
      screenful: Math.ceil(VIEWPORT.height / rowHeight),
      heapBytes: heap.usedSize,
      cpu: {
        coldLoad: coldCpu,
        openNew: openNew.cpu,
        createToPassword: created.cpu,
        openReset: openReset.cpu,
        resetToPassword: reset.cpu,
        openDelete: openDelete.cpu,
        openConnect: openConnect.cpu,
        branchSwitch: branchSwitch.cpu,
        bigNavToPaint: bigCpu,
        keystroke: keystroke.cpu,
      },
    };
  } finally {
    await context.close();
  }
}

export async function benchPage({
  repeats,
  log,
}: {
  repeats: number;
  log: (line: string) => void;
}): Promise<Row[]> {
  const dataDir = makeDataDir('page');
  const consoleDir = makeDataDir('page-dist');
  let browser: Browser | undefined;
  try {
    log('page: building the console and seeding');
    buildConsole(consoleDir);
    const data = seedBenchData(dataDir);
    const server = await startLocalApi(dataDir, {
      NEON_LOCAL_CONSOLE_DIR: consoleDir,
      NEON_LOCAL_OPERATION_MS: String(OPERATION_MS),
    });
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      // One throwaway round: the server's first requests (SQLite pages, JIT) are not the page's.
      log('page: warm-up round');
      await oneRepeat(browser, server.url, data, -1);
      const runs: RepeatFigures[] = [];
      for (let rep = 0; rep < repeats; rep++) {
        runs.push(await oneRepeat(browser, server.url, data, rep));
        log(`page: round ${rep + 1}/${repeats} done`);
      }
      return pageRows(runs);
    } finally {
      await browser?.close();
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(consoleDir, { recursive: true, force: true });
  }
}

function pageRows(runs: RepeatFigures[]): Row[] {
  type Figure = Exclude<keyof RepeatFigures, 'cpu'>;
  const m = (k: Figure) => median(runs.map((r) => r[k]));
  const all = (k: Figure) => runs.map((r) => Math.round(r[k])).join(', ');
  const cpu = (k: Figure) => median(runs.map((r) => r.cpu[k] ?? NaN));
  const timing = (figure: string, k: Figure, limit?: number): Row => ({
    group: 'page',
    figure,
    goal: limit === undefined ? '—' : `≤ ${limit} ms`,
    measured: `${fmt.ms(m(k))}${Number.isFinite(cpu(k)) ? ` (main-thread CPU ${fmt.ms(cpu(k))})` : ''}`,
    pass: limit === undefined ? null : m(k) <= limit,
    value: m(k),
    unit: 'ms',
    note: `runs: ${all(k)}`,
  });
  const screenful = m('screenful');
  const rowsLimit = Math.ceil(screenful + 2 * OVERSCAN + screenful);
  return [
    timing('cold load → users list painted', 'coldLoad', 300),
    timing('open New User dialog (first open after the list painted)', 'openNew', 50),
    timing('open Reset password dialog', 'openReset', 50),
    timing('open Delete dialog', 'openDelete', 50),
    timing('open Connect dialog', 'openConnect', 50),
    timing(
      `Create → password visible (operation ${OPERATION_MS} ms)`,
      'createToPassword',
      OPERATION_MS + 100,
    ),
    timing(
      `Sure, reset → password visible (operation ${OPERATION_MS} ms)`,
      'resetToPassword',
      OPERATION_MS + 100,
    ),
    timing('branch switch → list updated', 'branchSwitch'),
    timing(
      `${BIG_BRANCH_ROLES.toLocaleString('en-US')} users: navigation → list painted`,
      'bigNavToPaint',
    ),
    timing(
      `${BIG_BRANCH_ROLES.toLocaleString('en-US')} users: roles response → list painted`,
      'bigDataToPaint',
      100,
    ),
    timing(
      `${BIG_BRANCH_ROLES.toLocaleString('en-US')} users: search keystroke → filtered rows`,
      'keystroke',
      50,
    ),
    {
      group: 'page',
      figure: 'scrolling 10,000 users: long tasks > 50 ms',
      goal: '0',
      measured: `${m('longTasksScroll')} (longest ${fmt.ms(m('longestTaskScroll'))})`,
      pass: m('longTasksScroll') === 0,
      value: m('longTasksScroll'),
      note: `runs: ${all('longTasksScroll')}; longest task during the search keystroke: ${fmt.ms(m('longestTaskSearch'))}`,
    },
    {
      group: 'page',
      figure: 'scrolling 10,000 users: DOM rows',
      goal: `≈ one screenful (${screenful} rows; ≤ ${rowsLimit} with overscan)`,
      measured: String(m('domRows')),
      pass: m('domRows') <= rowsLimit,
      value: m('domRows'),
      unit: 'rows',
    },
    {
      group: 'page',
      figure: '10,000 users shown: browser JS heap (after GC)',
      goal: '—',
      measured: fmt.mib(m('heapBytes')),
      pass: null,
      value: m('heapBytes'),
      unit: 'bytes',
    },
  ];
}

export { API_KEY };
