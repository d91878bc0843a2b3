import { queryOptions } from '@tanstack/react-query';
import { listProjectOperations, type Operation } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';
import { OPERATIONS_PAGE_SIZE } from '../../rules/users-page-reads.ts';

// Neon's operations take seconds; half a second keeps a row's "Applying changes" close to the truth.
const POLL_MS = 500;

export function isUnfinished(operation: Pick<Operation, 'status'>): boolean {
  return (
    operation.status === 'scheduling' ||
    operation.status === 'running' ||
    operation.status === 'cancelling'
  );
}

export function isFailed(operation: Pick<Operation, 'status'>): boolean {
  return operation.status === 'failed' || operation.status === 'error';
}

export const operationQueries = {
  list: (projectId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'operations'],
      queryFn: ({ signal }) =>
        listProjectOperations({
          client: neonClient(),
          path: { project_id: projectId },
          query: { limit: OPERATIONS_PAGE_SIZE },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.operations,
      // Poll only while something is still in flight. Finishing changes no list: each
      // mutation refetched what it changed when Neon answered it.
      refetchInterval: (query) =>
        query.state.data?.operations.some(isUnfinished) ? POLL_MS : false,
    }),
};
