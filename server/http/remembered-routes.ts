import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/** Distinct method + path pairs remembered before the memory starts over. */
const REMEMBERED = 2048;
/**
 * Longer paths are matched each time, not remembered: the API's longest (a role's
 * reset_password with a 63-byte name percent-encoded) is about 300 characters, and the
 * memory stays under a megabyte whatever paths a client makes up.
 */
const LONGEST_REMEMBERED = 512;

/**
 * Hono's own router (RegExpRouter, or TrieRouter where our routes rule it out: a static
 * segment such as `projects/shared` beside `projects/:projectId`), with each method and
 * path's match remembered. The console asks for the same few URLs over and over, and a
 * TrieRouter search walks the whole route tree for every request. A match is read-only to
 * Hono (handlers and the params it decodes on demand), so one result serves every request
 * for that path. Full, the memory starts over: a client cycling through many role names
 * costs one search per request, as without it.
 */
export class RememberedRoutes<T> implements Router<T> {
  readonly name = 'RememberedRoutes';
  private readonly router: Router<T> = new SmartRouter<T>({
    routers: [new RegExpRouter<T>(), new TrieRouter<T>()],
  });
  private readonly matches = new Map<string, Result<T>>();

  /** Before the first match only, as with Hono's own (SmartRouter refuses later ones). */
  add(method: string, path: string, handler: T): void {
    this.router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > LONGEST_REMEMBERED) return this.router.match(method, path);
    const key = `${method} ${path}`;
    let result = this.matches.get(key);
    if (!result) {
      result = this.router.match(method, path);
      if (this.matches.size >= REMEMBERED) this.matches.clear();
      this.matches.set(key, result);
    }
    return result;
  }
}
