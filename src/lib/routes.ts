/** The users page's route (app.tsx's route table; main.tsx prefetches its data). */
export const USERS_ROUTE = '/projects/:projectId/settings/users';

export function usersPath(projectId: string, branchId?: string): string {
  const base = `/projects/${encodeURIComponent(projectId)}/settings/users`;
  return branchId ? `${base}?branch=${encodeURIComponent(branchId)}` : base;
}
