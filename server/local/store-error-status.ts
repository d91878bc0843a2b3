import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../http/errors.ts';
import { StoreError, type StoreErrorKind } from './store/store-error.ts';

/** The one place the store's refusals become HTTP statuses and Neon's error codes. */
const STATUS: Record<StoreErrorKind, [ContentfulStatusCode, string]> = {
  invalid: [400, 'BAD_REQUEST'],
  'not-found': [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  unprocessable: [422, 'UNPROCESSABLE_ENTITY'],
  locked: [423, 'LOCKED'],
};

export function apiErrorOfStoreError(err: unknown): ApiError | undefined {
  if (!(err instanceof StoreError)) return undefined;
  const [status, code] = STATUS[err.kind];
  return new ApiError(status, code, err.message);
}
