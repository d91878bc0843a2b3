import type { RequestIdVariables } from 'hono/request-id';

/** The Hono environment of every route: the variables the middlewares in front of it set. */
export type ApiEnv = { Variables: RequestIdVariables };
