import { useEffect, useRef } from 'react';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { listProjectOperations, type Operation } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

const POLL_MS = 1_000;

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
          // The newest operations are the ones a row can be waiting for.
          query: { limit: 100 },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.operations,
      // Poll only while something is still in flight.
      refetchInterval: (query) =>
        query.state.data?.operations.some(isUnfinished) ? POLL_MS : false,
    }),
};

/**
 * The project's operations, polled while any is unfinished. When the last one ends, the
 * branch data it changed is read again so the list is fresh.
 */
export function useProjectOperations(projectId: string) {
  const queryClient = useQueryClient();
  const query = useQuery(operationQueries.list(projectId));
  const busy = query.data?.some(isUnfinished) ?? false;
  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy) {
      void queryClient.invalidateQueries({ queryKey: ['projects', projectId, 'branches'] });
    }
    wasBusy.current = busy;
  }, [busy, projectId, queryClient]);
  return query;
}
