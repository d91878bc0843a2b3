import type { MiddlewareHandler } from 'hono';
import type { Store } from './store/store.ts';

/**
 * Group commit's other half: an answer leaves only once the changes committed before it
 * are on disk. Writes wait for their own commit's fsync; reads (and refusals) wait only
 * while an fsync is due, so no answer shows a change a crash could still undo.
 */
export function answersWhenDurable(store: Store): MiddlewareHandler {
  return async (_c, next) => {
    await next();
    const durable = store.whenDurable();
    if (durable) await durable;
  };
}
