import type { NeonErrorCode } from '../../http/errors.ts';

/** What went wrong, in the data's terms; `server/local/store-error-status.ts` gives each its HTTP status. */
export type StoreErrorKind =
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'locked'
  | 'invalid'
  | 'limit-exceeded'
  | 'storage-full';

/** A change or read the data's rules refuse, with the message (and, rarely, the code) Neon would give. */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    readonly code: NeonErrorCode = '',
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new StoreError('not-found', message);
export const conflict = (message: string) => new StoreError('conflict', message);
export const unprocessable = (message: string, code: NeonErrorCode = '') =>
  new StoreError('unprocessable', message, code);
export const invalid = (message: string) => new StoreError('invalid', message);
export const limitExceeded = (message: string, code: NeonErrorCode) =>
  new StoreError('limit-exceeded', message, code);
export const locked = () =>
  new StoreError(
    'locked',
    'project already has running conflicting operations, scheduling of new ones is prohibited',
  );
/** The filesystem of the data directory is full: the change was rolled back whole, nothing stored is touched. */
export const storageFull = () =>
  new StoreError(
    'storage-full',
    "the local server's disk is full: the change was not made; free space where its data directory is, then try again",
  );
/**
 * The filesystem ran out of space while the WAL was being synced: the change is committed
 * (later reads show it) but was not confirmed on disk, so a crash before the next good sync
 * could still undo it. Everything acknowledged before it is untouched.
 */
export const storageFullUnsynced = () =>
  new StoreError(
    'storage-full',
    "the local server's disk is full: the change could not be confirmed on disk and may be lost if the server stops; free space where its data directory is, then check it and try again",
  );
