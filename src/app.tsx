import { lazy, Suspense } from 'react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { USERS_ROUTE } from '@/lib/routes';
import { UsersPage } from '@/pages/users/users-page';

// The users page is what people open; the rest loads when visited.
const ProjectsPage = lazy(() =>
  import('@/pages/projects/projects-page').then((m) => ({ default: m.ProjectsPage })),
);
const NotFoundPage = lazy(() =>
  import('@/pages/not-found-page').then((m) => ({ default: m.NotFoundPage })),
);

/** Providers and the route table. The query client comes from outside so tests get a fresh one. */
export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Routes>
            <Route path="/" element={<ProjectsPage />} />
            <Route path={USERS_ROUTE} element={<UsersPage />} />
            <Route path="/projects/:projectId" element={<Navigate to="settings/users" replace />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
