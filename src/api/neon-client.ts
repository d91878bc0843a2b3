import { createClient, createConfig, type Client } from '@neon/sdk/raw';
import type { NeonErrorUnion } from '@neon/sdk';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: NeonErrorUnion;
  }
}

let cached: { origin: string; client: Client } | undefined;

/**
 * The one Neon client of the console. It speaks to the serving origin's `/api/v2`, which
 * authorises the page with its HttpOnly session cookie, so no API key ever reaches the
 * browser. Built on first use (not at import) so tests can point `location` elsewhere.
 */
export function neonClient(): Client {
  const origin = window.location.origin;
  if (cached?.origin !== origin) {
    const client = createClient(
      createConfig({
        baseUrl: `${origin}/api/v2`,
        credentials: 'same-origin',
        // Looked up per call so a test set-up can wrap the global fetch.
        fetch: (input, init) => globalThis.fetch(input, init),
      }),
    );
    cached = { origin, client };
  }
  return cached.client;
}
