import type { Store } from './store/store.ts';

/** The one organization the local account belongs to (NEON_LOCAL_ORG_ID, NEON_LOCAL_ORG_NAME). */
export interface Organization {
  id: string;
  name: string;
  /** When this data directory first knew it (kept in the store, so it survives restarts). */
  createdAt: number;
  /** Without `org_id`, `GET /projects` and `POST /projects` answer Neon's 400 (NEON_LOCAL_ORG_ONLY). */
  orgOnly: boolean;
}

/** Neon's organization ids (the spec's pattern for `org_id`). */
export const ORG_ID_PATTERN = /^[a-z0-9-]{1,60}$/;

/**
 * Neon's answer to a personal key of an account that is only in organizations, when a
 * project call does not say which (quoted from Neon in public issue trackers; neonctl
 * matches "org_id is required" to ask which organization).
 */
export const ORG_ID_REQUIRED =
  'org_id is required, you can find it on your organization settings page';

/** Guess (Neon's wording is not published): an organization the account is not in reads as absent. */
export const ORG_NOT_FOUND = 'organization not found';

export function localOrganization(
  store: Store,
  settings: { id: string; name: string; orgOnly: boolean },
  now: number,
): Organization {
  const key = `org_created_at:${settings.id}`;
  let createdAt = Number(store.getMeta(key));
  if (!Number.isFinite(createdAt) || createdAt <= 0) {
    createdAt = now;
    store.setMeta(key, String(createdAt));
  }
  return { ...settings, createdAt };
}
