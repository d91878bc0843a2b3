/**
 * The API reads behind the users page's first paint, as the console sends them (src/api/
 * asks with these page sizes): the server names the same URLs as preloads of the page's
 * HTML (server/http/console.ts), so the browser fetches them beside the scripts instead of
 * after them, and the console's requests are answered from those. Imports nothing, as
 * names.ts.
 */

/** Neon serves at most 100 branches a page (neonctl walks `pagination.next` for the same reason). */
export const BRANCHES_PAGE_SIZE = 100;
/** The newest operations are the ones a row can be waiting for. */
export const OPERATIONS_PAGE_SIZE = 100;

/** Paths under the origin: the project, its branches and operations, and the branch's users and databases. */
export function usersPageReads(projectId: string, branchId: string | undefined): string[] {
  const project = `/api/v2/projects/${encodeURIComponent(projectId)}`;
  const reads = [
    project,
    `${project}/branches?limit=${BRANCHES_PAGE_SIZE}`,
    `${project}/operations?limit=${OPERATIONS_PAGE_SIZE}`,
  ];
  if (branchId) {
    const branch = `${project}/branches/${encodeURIComponent(branchId)}`;
    reads.push(`${branch}/roles`, `${branch}/databases`);
  }
  return reads;
}
