/**
 * The environment every test server starts from (Vitest, Playwright, the crash driver, the
 * bench): a throwaway store, instant operations, no rate limits, and no real Postgres.
 * Tests about computes turn them on with `NEON_LOCAL_COMPUTES: '1'`; the rest never start one.
 */
export function testServerEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NEON_LOCAL_DATA_DIR: ':memory:',
    NEON_LOCAL_OPERATION_MS: '0',
    NEON_LOCAL_RATE_LIMIT_PER_MINUTE: '0',
    NEON_LOCAL_RATE_LIMIT_PER_SECOND: '0',
    NEON_LOCAL_COMPUTES: '0',
    NEON_LOCAL_QUIET: '1',
    ...overrides,
  };
}
