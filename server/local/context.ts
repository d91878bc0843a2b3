import type { Store } from './store/store.ts';
import type { Account, endpoint } from './shapes.ts';
import type { EndpointRow, ProjectRow } from './store/rows.ts';
import type { Computes } from './computes/computes.ts';
import type { Organization } from './organization.ts';

/** What every route of the local API is given. */
export interface LocalContext {
  store: Store;
  account: Account;
  organization: Organization;
  now: () => number;
  /** Real Postgres behind the branches; undefined when NEON_LOCAL_COMPUTES=0. */
  computes: Computes | undefined;
  /** An endpoint as the API shows it: with its compute's host and state when there is one. */
  endpoint: (e: EndpointRow, p: ProjectRow) => ReturnType<typeof endpoint>;
}
