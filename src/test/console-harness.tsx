import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '@/app';
import { createQueryClient } from '@/lib/query-client';
import { startLocalServer, type LocalServer } from '../../test/support/local-server.ts';

interface JsdomHandle {
  reconfigure(options: { url: string }): void;
}

const nodeFetch = globalThis.fetch;

export interface ConsoleServer extends LocalServer {
  /** Arms one of the server's test faults (NEON_LOCAL_FAULTS) for the next matching call. */
  fault(fault: Record<string, unknown>): Promise<void>;
  /** Calls the API as a non-browser client would, with the API key. */
  api<T>(path: string, init?: RequestInit): Promise<T>;
  /** The seeded demo project's id (the server's only project until a test makes another). */
  demoProjectId(): Promise<string>;
}

/**
 * Starts the real local server in-process and makes the jsdom page live on its origin, so
 * the console's same-origin `/api/v2` calls reach it. Node's fetch keeps no cookies, so
 * the session cookie a browser would hold is added here.
 */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const server = await startLocalServer({ NEON_LOCAL_FAULTS: '1', ...env });
  (globalThis as unknown as { jsdom: JsdomHandle }).jsdom.reconfigure({ url: `${server.url}/` });
  globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    if (request.url.startsWith(server.url)) request.headers.set('cookie', server.sessionCookie);
    return nodeFetch(request);
  };
  const withKey = (init: RequestInit = {}) => ({
    ...init,
    headers: {
      authorization: `Bearer ${server.apiKey}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  return {
    ...server,
    async fault(fault) {
      const res = await nodeFetch(
        `${server.url}/__neon-local/faults`,
        withKey({ method: 'POST', body: JSON.stringify(fault) }),
      );
      if (!res.ok) throw new Error(`arming fault failed: ${res.status} ${await res.text()}`);
    },
    async api(path, init) {
      const res = await nodeFetch(`${server.url}/api/v2${path}`, withKey(init));
      return (await res.json()) as never;
    },
    async demoProjectId() {
      const res = await nodeFetch(`${server.url}/api/v2/projects`, withKey());
      return ((await res.json()) as { projects: Array<{ id: string }> }).projects[0]!.id;
    },
    async close() {
      globalThis.fetch = nodeFetch;
      await server.close();
    },
  };
}

/**
 * Renders the whole console at `path`, the way a browser tab opening that URL would.
 * Reads are not retried (the production policy waits up to 8 s before showing an error)
 * unless a test proves that policy: `{ retryReads: true }`. Mutations keep theirs, which
 * only repeats a refusal that proves nothing happened.
 */
export function renderConsole(path: string, { retryReads = false } = {}) {
  window.history.replaceState(null, '', path);
  const queryClient = createQueryClient();
  if (!retryReads) {
    const defaults = queryClient.getDefaultOptions();
    queryClient.setDefaultOptions({ ...defaults, queries: { ...defaults.queries, retry: false } });
  }
  const user = userEvent.setup();
  const view = render(<App queryClient={queryClient} />);
  return { ...view, user, queryClient };
}
