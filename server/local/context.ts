import type { Store } from './store.ts';
import type { Account } from './shapes.ts';

/** What every route of the local API is given. */
export interface LocalContext {
  store: Store;
  account: Account;
  now: () => number;
}

/** Hono variables set by the middlewares in front of the routes. */
export type ApiEnv = {
  Variables: {
    requestId: string;
    /** Set by fault injection: the operations this request starts end as failed. */
    failOperationsWith?: string;
  };
};
