import { ConsoleShell } from '@/components/console-shell';
import { NotFoundState } from '@/pages/not-found-state';

export function NotFoundPage() {
  return (
    <ConsoleShell>
      <NotFoundState
        title="Page not found"
        message="There is nothing at this address."
        backTo="/"
        backLabel="Go to your projects"
      />
    </ConsoleShell>
  );
}
