import type { Store } from './store/store.ts';
import type { Account } from './shapes.ts';

/** What every route of the local API is given. */
export interface LocalContext {
  store: Store;
  account: Account;
  now: () => number;
}
