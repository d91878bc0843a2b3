import { expect } from 'vitest';
import type { QueryClient } from '@tanstack/react-query';

const dataOf = (entries: Array<{ state: { data: unknown } }>) =>
  JSON.stringify(entries.map((entry) => entry.state.data));

/** `secret` is in no state the page shares: not the query cache, the URL or storage. */
export function expectNotShared(queryClient: QueryClient, secret: string) {
  expect(dataOf(queryClient.getQueryCache().getAll())).not.toContain(secret);
  expect(window.location.href).not.toContain(secret);
  expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(secret);
}

/** `secret` is gone: not in the page, nor kept in any mutation's result. */
export function expectForgotten(queryClient: QueryClient, secret: string) {
  expect(document.body.innerHTML).not.toContain(secret);
  expect(dataOf(queryClient.getMutationCache().getAll())).not.toContain(secret);
}
