import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { authQueries } from '@/api/auth';
import { organizationQueries, type OrganizationItem } from '@/api/organizations';
import { projectQueries } from '@/api/projects';
import { ConsoleShell } from '@/components/console-shell';
import { ErrorMessage } from '@/components/ui/error-message';
import { SearchField } from '@/components/ui/search-field';
import { LoadFailedPanel, LoadingPanel } from '@/components/ui/state-panel';
import { Button } from '@/components/ui/button';
import { errorStatus } from '@/lib/query-client';
import { usersPath } from '@/lib/routes';

const SEARCH_DELAY_MS = 300;

/**
 * `/`: the projects the server's key can see. What the key is decides what is asked:
 * an organization (or project-scoped) key lists its organization's projects; a personal
 * key picks one of its organizations (`?org=`, a switcher when there are several); a
 * server without `GET /auth` lists projects without `org_id`, as before. A single project
 * opens straight away, which is where a project-scoped key lands.
 */
export function ProjectsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const auth = useQuery(authQueries.details());
  const orgKey = auth.data?.kind === 'organization';
  // An organization key is refused this list, and already names its organization.
  const orgs = useQuery({ ...organizationQueries.mine(), enabled: auth.isSuccess && !orgKey });

  let body;
  if (auth.error || orgs.error) {
    const error = (auth.error ?? orgs.error)!;
    body = (
      <LoadFailedPanel
        error={error}
        title="Your Neon account could not be read."
        onRetry={() => void (auth.error ? auth.refetch() : orgs.refetch())}
      />
    );
  } else if (auth.data?.kind === 'organization') {
    body = <ProjectList key={auth.data.orgId} orgId={auth.data.orgId} single />;
  } else if (orgs.isSuccess) {
    const list = orgs.data ?? [];
    const requested = searchParams.get('org');
    const orgId = requested ?? list[0]?.id;
    body = (
      <>
        {list.length > 1 ? (
          <OrganizationSelect
            organizations={list}
            value={orgId!}
            onChange={(id) => setSearchParams({ org: id })}
          />
        ) : null}
        <ProjectList key={orgId ?? ''} orgId={orgId} single={list.length <= 1} />
      </>
    );
  } else {
    body = <LoadingPanel>Loading projects…</LoadingPanel>;
  }

  return (
    <ConsoleShell>
      <h1>Projects</h1>
      {body}
    </ConsoleShell>
  );
}

function OrganizationSelect({
  organizations,
  value,
  onChange,
}: {
  organizations: OrganizationItem[];
  value: string;
  onChange: (orgId: string) => void;
}) {
  // A deep link may name an organization the list lacks: keep it selectable rather than lie.
  const options = organizations.some((o) => o.id === value)
    ? organizations
    : [...organizations, { id: value, name: value }];
  return (
    <div className="field field-inline">
      <label htmlFor="org-select">Organization</label>
      <select
        id="org-select"
        className="select"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function useDebounced(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

interface ProjectListProps {
  orgId: string | undefined;
  /** Only one organization is on offer, so a lone project may be opened straight away. */
  single: boolean;
}

function ProjectList({ orgId, single }: ProjectListProps) {
  const [typed, setTyped] = useState('');
  const search = useDebounced(typed.trim(), SEARCH_DELAY_MS);
  const projects = useInfiniteQuery(projectQueries.list({ orgId, search }));
  const listRef = useRef<HTMLUListElement>(null);
  const firstNewIndex = useRef<number | null>(null);

  const items = projects.data?.pages.flatMap((page) => page.projects) ?? [];

  // After "Load more", focus moves to the first project it brought, so keyboard users
  // continue where the list grew (and are not left on a button that may disappear).
  useEffect(() => {
    const index = firstNewIndex.current;
    if (index === null || projects.isFetchingNextPage) return;
    firstNewIndex.current = null;
    const links = listRef.current?.querySelectorAll<HTMLAnchorElement>('a');
    links?.[Math.min(index, links.length - 1)]?.focus();
  }, [projects.isFetchingNextPage, items.length]);

  if (
    single &&
    !search &&
    projects.data?.pages.length === 1 &&
    items.length === 1 &&
    !projects.hasNextPage
  ) {
    return <Navigate to={usersPath(items[0].id)} replace />;
  }

  let list;
  if (projects.data) {
    list = (
      <>
        {items.length === 0 ? (
          <p className="state-panel">
            {search ? `No projects match “${search}”.` : 'There are no projects here yet.'}
          </p>
        ) : (
          <ul className="project-list" ref={listRef}>
            {items.map((project) => (
              <li key={project.id}>
                <Link to={usersPath(project.id)} className="project-link">
                  <span className="project-name">{project.name}</span>
                  <span className="muted small">{project.id}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {projects.error ? (
          <ErrorMessage error={projects.error} title="More projects could not be loaded." />
        ) : null}
        {projects.hasNextPage ? (
          <Button
            onClick={() => {
              firstNewIndex.current = items.length;
              void projects.fetchNextPage();
            }}
            disabled={projects.isFetchingNextPage}
          >
            {projects.isFetchingNextPage ? 'Loading more projects…' : 'Load more projects'}
          </Button>
        ) : null}
      </>
    );
  } else if (projects.error) {
    const status = errorStatus(projects.error);
    list = (
      <LoadFailedPanel
        error={projects.error}
        title="Projects could not be loaded."
        onRetry={() => void projects.refetch()}
      >
        {status === 403 || status === 404 ? <OpenProjectById /> : undefined}
      </LoadFailedPanel>
    );
  } else {
    list = <LoadingPanel>Loading projects…</LoadingPanel>;
  }

  const found =
    (items.length === 1 ? '1 project' : `${items.length} projects`) +
    (projects.hasNextPage ? ' shown, more to load' : '');
  return (
    <section aria-label="Projects">
      <div className="toolbar">
        <SearchField
          id="project-search"
          label="Search projects"
          placeholder="Name or ID"
          value={typed}
          onChange={setTyped}
          found={projects.data ? found : undefined}
        />
      </div>
      {list}
    </section>
  );
}

/** For keys that may not list projects (a project-scoped key, say): go to one by its ID. */
function OpenProjectById() {
  const navigate = useNavigate();
  const [id, setId] = useState('');
  return (
    <form
      className="field field-inline"
      onSubmit={(event) => {
        event.preventDefault();
        if (id.trim()) navigate(usersPath(id.trim()));
      }}
    >
      <label htmlFor="open-project-id">Project ID</label>
      <input
        id="open-project-id"
        className="input"
        value={id}
        onChange={(event) => setId(event.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      <Button type="submit" variant="primary">
        Open project
      </Button>
    </form>
  );
}
