import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error the API answers in Neon's shape: `{code, message, request_id}`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const conflict = (message: string) => new ApiError(409, 'CONFLICT', message);
export const unprocessable = (message: string) =>
  new ApiError(422, 'UNPROCESSABLE_ENTITY', message);
export const locked = () =>
  new ApiError(
    423,
    'LOCKED',
    'project already has running conflicting operations, scheduling of new ones is prohibited',
  );
