import type { ReactNode } from 'react';
import type { NeonErrorUnion } from '@neon/sdk';
import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';

/** What stands where a list will be, while it is read for the first time. */
export function LoadingPanel({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="state-panel skeleton">
      {children}
    </p>
  );
}

/**
 * A first read that failed: Neon's message and a way on, "Try again" unless the caller
 * names another (`children`).
 */
export function LoadFailedPanel({
  error,
  title,
  onRetry,
  children,
}: {
  error: NeonErrorUnion;
  title: string;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="state-panel">
      <ErrorMessage error={error} title={title} />
      {children ?? <Button onClick={onRetry}>Try again</Button>}
    </div>
  );
}
