import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

interface ConsoleShellProps {
  projectName?: string;
  branchName?: string;
  usersHref?: string;
  children: ReactNode;
}

/** The Neon Console frame: top bar with project and branch, side navigation, the page. */
export function ConsoleShell({ projectName, branchName, usersHref, children }: ConsoleShellProps) {
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Neon console home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Neon</span>
        </Link>
        {projectName ? (
          <nav aria-label="Current project" className="crumbs">
            <span className="crumb">
              <span className="crumb-label">Project</span> {projectName}
            </span>
            {branchName ? (
              <span className="crumb">
                <span className="crumb-label">Branch</span> {branchName}
              </span>
            ) : null}
          </nav>
        ) : null}
      </header>
      <div className="shell-body">
        {usersHref ? (
          <nav aria-label="Project" className="sidenav">
            <Link to="/" className="sidenav-link">
              All projects
            </Link>
            <p className="sidenav-group">Settings</p>
            <Link to={usersHref} className="sidenav-link active" aria-current="page">
              Users
            </Link>
          </nav>
        ) : null}
        <main className="page">{children}</main>
      </div>
    </div>
  );
}
