import type { NeonErrorUnion } from '@neon/sdk';

/**
 * Neon's own message in plain words. After a change (`change`), a lost connection leaves
 * its fate unknown: say so, since the console re-reads rather than sending it again.
 */
function describeError(error: NeonErrorUnion, change = false): string {
  if (error.kind === 'network') {
    return change
      ? 'The connection to the server was lost, so it is unknown whether this was applied. It was not sent again; the list has been read again, check it before retrying.'
      : 'The server could not be reached. Check your connection and try again.';
  }
  return error.message;
}

export function ErrorMessage({
  error,
  title,
  change = false,
}: {
  error: NeonErrorUnion;
  title?: string;
  change?: boolean;
}) {
  const requestId = 'requestId' in error ? error.requestId : undefined;
  // "The user was not created" would be a guess when the answer never arrived.
  const heading = change && error.kind === 'network' ? 'Connection lost.' : title;
  return (
    <div className="error-box" role="alert">
      {heading ? <strong>{heading} </strong> : null}
      <span>{describeError(error, change)}</span>
      {requestId ? <span className="muted small"> (request {requestId})</span> : null}
    </div>
  );
}
