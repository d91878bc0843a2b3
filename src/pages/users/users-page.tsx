import { useCallback, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import type { Operation } from '@neon/sdk/raw';
import { branchQueries } from '@/api/branches';
import { projectQueries } from '@/api/projects';
import { ConsoleShell } from '@/components/console-shell';
import { LoadFailedPanel, LoadingPanel } from '@/components/ui/state-panel';
import { usersPath } from '@/lib/routes';
import { NotFoundState } from '@/pages/not-found-state';
import { trackingKey, type TrackedOperations } from '@/pages/users/user-rows';
import { UsersSection } from '@/pages/users/users-section';

/**
 * The route `/projects/:projectId/settings/users?branch=…`: resolves the project and the
 * branch, and shows their loading, error and not-found states around the branch's users.
 */
export function UsersPage() {
  const { projectId = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const project = useQuery(projectQueries.detail(projectId));
  const branches = useQuery(branchQueries.list(projectId));
  const requestedBranchId = searchParams.get('branch');
  // Kept here, above the per-branch section, so a switch to another branch and back
  // still shows the progress or failure of what was started here.
  const [tracked, setTracked] = useState<TrackedOperations>({});
  const track = useCallback((branchId: string, roleName: string, ops: Operation[]) => {
    setTracked((current) => ({ ...current, [trackingKey(branchId, roleName)]: ops }));
  }, []);

  const branch = branches.data?.find((b) =>
    requestedBranchId ? b.id === requestedBranchId : b.default,
  );
  const title = ['Users', branch?.name, project.data?.name, 'Neon Console']
    .filter(Boolean)
    .join(' · ');
  const selectBranch = useCallback(
    (branchId: string) => setSearchParams({ branch: branchId }),
    [setSearchParams],
  );

  let body;
  if (project.error?.kind === 'not_found' || branches.error?.kind === 'not_found') {
    body = (
      <NotFoundState
        title="Project not found"
        message={`There is no project "${projectId}", or you cannot see it.`}
        backTo="/"
        backLabel="Go to your projects"
      />
    );
  } else if (branches.data && project.data && !branch) {
    body = requestedBranchId ? (
      <NotFoundState
        title="Branch not found"
        message={`Project ${project.data.name} has no branch "${requestedBranchId}".`}
        backTo={usersPath(projectId)}
        backLabel="Show the default branch"
      />
    ) : (
      <p className="state-panel">This project has no branches.</p>
    );
  } else if (branches.data && project.data && branch) {
    body = (
      <UsersSection
        key={branch.id}
        projectId={projectId}
        branch={branch}
        branches={branches.data}
        tracked={tracked}
        onOperations={track}
        onBranchChange={selectBranch}
      />
    );
  } else if (project.error || branches.error) {
    body = (
      <LoadFailedPanel
        error={(project.error ?? branches.error)!}
        title="The project could not be loaded."
        onRetry={() => {
          void project.refetch();
          void branches.refetch();
        }}
      />
    );
  } else {
    body = <LoadingPanel>Loading project…</LoadingPanel>;
  }

  return (
    <ConsoleShell
      projectName={project.data?.name}
      branchName={branch?.name}
      usersHref={usersPath(projectId, requestedBranchId ?? undefined)}
    >
      {/* React 19 hoists this into <head>. */}
      <title>{title}</title>
      {body}
    </ConsoleShell>
  );
}
