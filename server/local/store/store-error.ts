/** What went wrong, in the data's terms; `server/local/store-error-status.ts` gives each its HTTP status. */
export type StoreErrorKind = 'not-found' | 'conflict' | 'unprocessable' | 'locked' | 'invalid';

/** A change or read the data's rules refuse, with the message Neon would give. */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new StoreError('not-found', message);
export const conflict = (message: string) => new StoreError('conflict', message);
export const unprocessable = (message: string) => new StoreError('unprocessable', message);
export const invalid = (message: string) => new StoreError('invalid', message);
export const locked = () =>
  new StoreError(
    'locked',
    'project already has running conflicting operations, scheduling of new ones is prohibited',
  );
