import { errorStatus } from '@/lib/query-client';

/**
 * Statuses that mean "this server or this key has no such endpoint": our local server
 * answers 404 or 501 for parts of Neon's API it lacks, and Neon refuses account-level
 * endpoints to organization and project-scoped keys with 403 or 404. A console that asks
 * such an endpoint treats these as "not available" and carries on, rather than failing.
 */
const ABSENT = new Set([403, 404, 501]);

/** Runs `call`; answers `null` when the endpoint is not available to this key or server. */
export async function orAbsent<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    const status = errorStatus(error);
    if (status !== undefined && ABSENT.has(status)) return null;
    throw error;
  }
}
