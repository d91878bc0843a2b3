/** Said in a confirmation opened while the user's previous change is still being applied. */
export function ApplyingNote({ name, action }: { name: string; action: string }) {
  return (
    <p className="info-box small" role="status">
      <span className="spinner" aria-hidden="true" /> A change to {name} is still being applied.{' '}
      {action} waits for it to finish.
    </p>
  );
}
