export function usersPath(projectId: string, branchId?: string): string {
  const base = `/projects/${encodeURIComponent(projectId)}/settings/users`;
  return branchId ? `${base}?branch=${encodeURIComponent(branchId)}` : base;
}
