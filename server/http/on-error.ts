import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './errors.ts';
import type { ApiEnv } from './env.ts';
import type { Log } from './request-log.ts';

/** Turns an error of a lower layer (the local store's, say) into the API's, or says it is not one of its own. */
export type ErrorTranslator = (err: unknown) => ApiError | undefined;

function respond(c: Context<ApiEnv>, err: ApiError) {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json(
    { code: err.code, message: err.message, request_id: c.get('requestId') },
    err.status,
  );
}

/**
 * The one error path: every refusal and failure is answered as Neon's
 * `{code, message, request_id}`; anything unexpected is logged (with its stack) and is a 500.
 */
export function neonErrors(log: Log, translate: ErrorTranslator): ErrorHandler<ApiEnv> {
  return (err, c) => {
    if (err instanceof ApiError) return respond(c, err);
    const translated = translate(err);
    if (translated) return respond(c, translated);
    if (err instanceof HTTPException) {
      return respond(c, new ApiError(err.status as 400, err.message || 'bad request'));
    }
    log(`error ${c.get('requestId')}: ${err.stack ?? err.message}`);
    return respond(c, new ApiError(500, 'internal server error'));
  };
}
