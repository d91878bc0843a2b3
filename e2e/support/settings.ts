import { findChromium } from './chromium.ts';
import { testServerEnv } from '../../test/support/test-env.ts';

/**
 * Shared by playwright.config.ts and the specs. The key is fixed so the test runner (never
 * the browser) can call the API and the fault endpoint; it is not a secret.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 4173);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_API_KEY = 'neon-local-e2e-key-4b1d0c9e7a';
export const E2E_OPERATION_MS = 150;

const chromium = findChromium();
/** The browser every suite, bench and script drives; '' when none is installed (see findChromium). */
export const CHROMIUM_PATH = 'path' in chromium ? chromium.path : '';

/**
 * What Debian's Chromium needs to run headless in containers and CI: no sandbox (no user
 * namespaces there), no GPU, /tmp instead of a small /dev/shm, and no traffic of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The environment of every server the suite starts: throwaway store, faults on, no rate limits. */
export function serverEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return testServerEnv({
    NEON_API_KEY: E2E_API_KEY,
    NEON_LOCAL_OPERATION_MS: String(E2E_OPERATION_MS),
    NEON_LOCAL_FAULTS: '1',
    ...overrides,
  });
}
