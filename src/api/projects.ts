import { queryOptions } from '@tanstack/react-query';
import { getProject, listProjects } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

export const projectQueries = {
  list: () =>
    queryOptions({
      queryKey: ['projects'],
      queryFn: ({ signal }) => listProjects({ client: neonClient(), signal, throwOnError: true }),
      select: (data) => data.projects,
    }),
  detail: (projectId: string) =>
    queryOptions({
      queryKey: ['projects', projectId],
      queryFn: ({ signal }) =>
        getProject({
          client: neonClient(),
          path: { project_id: projectId },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.project,
    }),
};
