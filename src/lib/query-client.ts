import { MutationCache, QueryClient } from '@tanstack/react-query';
import type { NeonErrorUnion } from '@neon/sdk';

const RETRYABLE_STATUSES = new Set([423, 429, 503]);
const MAX_RETRIES = 4;
const MAX_DELAY_MS = 8_000;

export function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** 423 (an operation still runs), 429 and 503 mean "not done, try later": safe to repeat. */
function isRetryableStatus(error: unknown): boolean {
  const status = errorStatus(error);
  return status !== undefined && RETRYABLE_STATUSES.has(status);
}

function isNetworkError(error: unknown): boolean {
  return (error as NeonErrorUnion | null)?.kind === 'network';
}

/** Honours Retry-After when the server sent one, else exponential backoff with jitter. */
export function retryDelayMs(
  attempt: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  const header = (error as { response?: Response } | null)?.response?.headers.get('retry-after');
  const seconds = header ? Number(header) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_DELAY_MS);
  const ceiling = Math.min(MAX_DELAY_MS, 500 * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Reads may be repeated after a dropped connection; mutations only after a refusal. */
export function shouldRetryQuery(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  return isRetryableStatus(error) || (isNetworkError(error) && failureCount < 2);
}

export function shouldRetryMutation(failureCount: number, error: unknown): boolean {
  // A network error may hide a POST/DELETE that did happen: re-sending could create twice
  // or delete a newer namesake. Only statuses that prove nothing happened are repeated.
  return failureCount < MAX_RETRIES && isRetryableStatus(error);
}

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetryQuery,
        retryDelay: retryDelayMs,
        staleTime: 10_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: shouldRetryMutation, retryDelay: retryDelayMs },
    },
    mutationCache: new MutationCache({
      onError: (error) => {
        // We cannot know whether the change was applied, so re-read instead of guessing.
        if (isNetworkError(error)) void queryClient.invalidateQueries();
      },
    }),
  });
  return queryClient;
}
