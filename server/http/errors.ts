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
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
