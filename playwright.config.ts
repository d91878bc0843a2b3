import { defineConfig, devices } from '@playwright/test';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  E2E_BASE_URL,
  E2E_PORT,
  serverEnv,
} from './e2e/support/settings.ts';
import { NO_CHROMIUM } from './e2e/support/chromium.ts';

if (!CHROMIUM_PATH) throw new Error(NO_CHROMIUM);

export default defineConfig({
  testDir: 'e2e',
  // Not test-results/ itself: Playwright empties its output directory, and Vitest's report lives there.
  outputDir: 'test-results/playwright',
  fullyParallel: true,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL: E2E_BASE_URL,
    video: 'off',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    permissions: ['clipboard-read', 'clipboard-write'],
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: 'npm start',
    url: `${E2E_BASE_URL}/`,
    env: serverEnv({ PORT: String(E2E_PORT) }),
    // Builds the console first when dist/ is missing or stale.
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
