import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, badRequest, undecodable } from './errors.ts';

function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/**
 * A value of the wrong shape is one Neon cannot decode (`invalid request: decode …`); a
 * well-formed one that breaks a rule (a reserved name, say) is refused with the rule's words.
 */
function refusal(error: z.ZodError): ApiError {
  const shape = error.issues.filter((issue) => issue.code !== 'custom');
  return shape.length ? undecodable(describe(shape)) : badRequest(describe(error.issues));
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Reads a JSON body and validates it with zod, answering Neon-shaped errors: 415 for another
 * content type, 400 for malformed JSON or a body that does not fit. An `optional` body may be absent.
 */
export async function readBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  { optional = false } = {},
): Promise<z.output<T>> {
  const bytes = await c.req.arrayBuffer();
  let raw: string;
  try {
    // Strict: a lenient decoder would silently turn invalid bytes into U+FFFD inside names.
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw undecodable('body: not valid UTF-8');
  }
  let body: unknown = {};
  if (raw.trim() !== '' || !optional) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    if (!JSON_TYPE.test(type)) {
      throw new ApiError(
        415,
        `request body must be JSON (Content-Type: application/json), got ${JSON.stringify(type || 'none')}`,
      );
    }
    try {
      body = JSON.parse(raw);
    } catch {
      throw undecodable('body: not valid JSON');
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw refusal(parsed.error);
  return parsed.data;
}

/** Parses query parameters with zod, answering 400 with what is wrong. */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  query: Record<string, string>,
): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw refusal(parsed.error);
  return parsed.data;
}
