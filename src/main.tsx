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
// A load of the users page asks for its data now, not after React's first render.
const usersRoute = matchPath(USERS_ROUTE, window.location.pathname);
if (usersRoute?.params.projectId) {
  const branchId = new URLSearchParams(window.location.search).get('branch');
  prefetchUsersPage(queryClient, usersRoute.params.projectId, branchId);
}

createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} />
  </StrictMode>,
);
