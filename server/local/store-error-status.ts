import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../http/errors.ts';
import { StoreError, type StoreErrorKind } from './store/store-error.ts';

/** The one place the store's refusals become HTTP statuses (their codes are Neon's, carried as they are). */
const STATUS: Record<StoreErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'limit-exceeded': 422,
  locked: 423,
  // Insufficient Storage: a refusal of the server's, not of the request, and reads still work.
  'storage-full': 507,
};

export function apiErrorOfStoreError(err: unknown): ApiError | undefined {
  if (!(err instanceof StoreError)) return undefined;
  return new ApiError(STATUS[err.kind], err.message, { code: err.code });
}
