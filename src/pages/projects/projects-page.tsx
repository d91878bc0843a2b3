import { Link, Navigate } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { projectQueries } from '@/api/projects';
import { ConsoleShell } from '@/components/console-shell';
import { ErrorMessage } from '@/components/ui/error-message';
import { Button } from '@/components/ui/button';
import { usersPath } from '@/lib/routes';

/** `/`: straight to the only project, or a picker when there are several. */
export function ProjectsPage() {
  const projects = useQuery(projectQueries.list());

  let body;
  if (projects.data) {
    if (projects.data.length === 1) return <Navigate to={usersPath(projects.data[0].id)} replace />;
    body =
      projects.data.length === 0 ? (
        <p className="state-panel">This account has no projects yet.</p>
      ) : (
        <ul className="project-list">
          {projects.data.map((project) => (
            <li key={project.id}>
              <Link to={usersPath(project.id)} className="project-link">
                <span className="project-name">{project.name}</span>
                <span className="muted small">{project.id}</span>
              </Link>
            </li>
          ))}
        </ul>
      );
  } else if (projects.error) {
    body = (
      <div className="state-panel">
        <ErrorMessage error={projects.error} title="Projects could not be loaded." />
        <Button onClick={() => void projects.refetch()}>Try again</Button>
      </div>
    );
  } else {
    body = (
      <p role="status" className="state-panel">
        Loading projects…
      </p>
    );
  }

  return (
    <ConsoleShell>
      <h1>Projects</h1>
      {body}
    </ConsoleShell>
  );
}
