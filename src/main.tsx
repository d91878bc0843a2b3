import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { matchPath } from 'react-router-dom';
import { App } from '@/app';
import { createQueryClient } from '@/lib/query-client';
import { USERS_ROUTE } from '@/lib/routes';
import { prefetchUsersPage } from '@/pages/users/prefetch-users-page';
import '@/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

const queryClient = createQueryClient();
// A load of the users page asks for its data now, not after React's first render, and
// renders once it is in (or after 50 ms at most): one render of the list instead of a
// "Loading…" re-rendered as each answer arrives.
const usersRoute = matchPath(USERS_ROUTE, window.location.pathname);
const firstReads = usersRoute?.params.projectId
  ? prefetchUsersPage(
      queryClient,
      usersRoute.params.projectId,
      new URLSearchParams(window.location.search).get('branch'),
    )
  : undefined;
const render = () =>
  createRoot(root).render(
    <StrictMode>
      <App queryClient={queryClient} />
    </StrictMode>,
  );
if (firstReads) void Promise.race([firstReads, new Promise((r) => setTimeout(r, 50))]).then(render);
else render();
