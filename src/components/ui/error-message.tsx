import type { NeonErrorUnion } from '@neon/sdk';

/** Neon's own message in plain words, with the request id support would ask for. */
export function describeError(error: NeonErrorUnion): string {
  if (error.kind === 'network') {
    return 'The server could not be reached. Nothing was repeated; the list was read again so you can check what happened.';
  }
  return error.message;
}

export function ErrorMessage({ error, title }: { error: NeonErrorUnion; title?: string }) {
  const requestId = 'requestId' in error ? error.requestId : undefined;
  return (
    <div className="error-box" role="alert">
      {title ? <strong>{title} </strong> : null}
      <span>{describeError(error)}</span>
      {requestId ? <span className="muted small"> (request {requestId})</span> : null}
    </div>
  );
}
