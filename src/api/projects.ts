import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import { getProject, listProjects } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

/** Neon's default page size for projects; asked for explicitly so "is there more" is decidable. */
const PROJECTS_PAGE_SIZE = 10;

export interface ProjectListFilter {
  /** The organization to list; undefined lists what the key sees without one. */
  orgId: string | undefined;
  /** Neon's own `search`: part of a project's name or id. */
  search: string;
}

export const projectQueries = {
  /**
   * Projects a page at a time, by Neon's `pagination.cursor`. Neon sends a cursor on every
   * non-empty page, the last one included, so a short page is what says "no more".
   */
  list: ({ orgId, search }: ProjectListFilter) =>
    infiniteQueryOptions({
      queryKey: ['projects', { orgId, search }],
      queryFn: ({ signal, pageParam }) =>
        listProjects({
          client: neonClient(),
          query: {
            limit: PROJECTS_PAGE_SIZE,
            ...(orgId ? { org_id: orgId } : {}),
            ...(search ? { search } : {}),
            ...(pageParam ? { cursor: pageParam } : {}),
          },
          signal,
          throwOnError: true,
        }),
      initialPageParam: undefined as string | undefined,
      // While a new search loads, the last answer stays on screen instead of a blank list.
      placeholderData: keepPreviousData,
      getNextPageParam: (last) =>
        last.projects.length >= PROJECTS_PAGE_SIZE
          ? last.pagination?.cursor || undefined
          : undefined,
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
