import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The upper-case codes Neon sends, each only in its own case; every other error of Neon's
 * carries an empty `code` (`404 {"code":"","message":"branch not found"}`), and its clients
 * branch on the HTTP status, never the code.
 */
export type NeonErrorCode =
  | ''
  | 'ROLE_PASSWORD_NOT_AVAILABLE'
  | 'PROJECTS_LIMIT_EXCEEDED'
  | 'BRANCHES_LIMIT_EXCEEDED'
  | 'ROLES_LIMIT_EXCEEDED'
  | 'DATABASES_LIMIT_EXCEEDED';

/** An error the API answers in Neon's shape: `{code, message, request_id}`. */
export class ApiError extends Error {
  readonly code: NeonErrorCode;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    { code = '', headers = {} }: { code?: NeonErrorCode; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.headers = headers;
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
/** A body or query that cannot be read as the endpoint's input, in Neon's words: `invalid request: decode …`. */
export const undecodable = (what: string) => new ApiError(400, `invalid request: decode ${what}`);
export const forbidden = (message: string) => new ApiError(403, message);
