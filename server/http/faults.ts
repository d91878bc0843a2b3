import { Hono, type MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { z } from 'zod';
import { ApiError, forbidden } from './errors.ts';
import { readBody } from './read-request.ts';
import { requireAuth } from './auth.ts';

const faultSchema = z
  .object({
    method: z.string().toUpperCase().default('*'),
    /** Path under /api/v2; `*` matches within one segment, `**` across segments. */
    path: z.string().min(1),
    count: z.number().int().min(1).max(1000).default(1),
    status: z.union([z.literal(423), z.literal(429), z.literal(500), z.literal(503)]).optional(),
    message: z.string().max(500).optional(),
    delay_ms: z.number().int().min(0).max(60_000).optional(),
    /** 'before': close the connection unanswered; 'after': do the work, then close it. */
    drop: z.enum(['before', 'after']).optional(),
    /** The operations the request starts end as failed, with this error. */
    fail_operations: z.string().min(1).max(500).optional(),
    retry_after: z.number().int().min(0).max(3600).optional(),
  })
  .refine((f) => f.status || f.delay_ms !== undefined || f.drop || f.fail_operations, {
    message: 'a fault needs status, delay_ms, drop or fail_operations',
  });

type Fault = z.output<typeof faultSchema> & { id: number; remaining: number; pattern: RegExp };

function globToRegExp(glob: string): RegExp {
  const path = glob.replace(/^\/api\/v2(?=\/)/, '');
  const body = path
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Where `fail_operations` goes: the backend that runs operations (the local one) arms its
 * next operations in `projectId` (any project when undefined, as for `POST /projects`) to
 * fail with `reason`, and is disarmed with `undefined` when the request ends.
 */
export type FailOperations = (projectId: string | undefined, reason: string | undefined) => void;

/** Faults armed for the next N matching API requests (tests of UIs against this server). */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly failOperations: FailOperations = () => {}) {}

  arm(input: z.output<typeof faultSchema>): Fault {
    const fault = {
      ...input,
      id: this.nextId++,
      remaining: input.count,
      pattern: globToRegExp(input.path),
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list() {
    return this.faults.map(({ pattern: _pattern, ...f }) => f);
  }

  take(method: string, apiPath: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => (f.method === '*' || f.method === method) && f.pattern.test(apiPath),
    );
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  /** Applies armed faults to /api/v2 requests. */
  middleware(): MiddlewareHandler<{ Bindings: HttpBindings }> {
    return async (c, next) => {
      const apiPath = c.req.path.replace(/^\/api\/v2/, '');
      const fault = this.take(c.req.method, apiPath);
      if (!fault) return next();
      if (fault.delay_ms) await new Promise((r) => setTimeout(r, fault.delay_ms));
      const socket = c.env?.incoming?.socket;
      if (fault.drop === 'before' && socket) {
        socket.destroy();
        return new Response(null);
      }
      if (fault.status) {
        const headers: Record<string, string> = {};
        if (fault.status === 429 || fault.status === 503 || fault.retry_after !== undefined) {
          headers['Retry-After'] = String(fault.retry_after ?? 1);
        }
        const message =
          fault.message ??
          {
            423: 'project already has running conflicting operations, scheduling of new ones is prohibited',
            429: 'rate limit exceeded (injected fault)',
            500: 'internal server error (injected fault)',
            503: 'service temporarily unavailable (injected fault)',
          }[fault.status];
        throw new ApiError(fault.status, message, { headers });
      }
      if (fault.fail_operations) {
        const projectId = /^\/projects\/([^/]+)(?:\/|$)/.exec(apiPath)?.[1];
        this.failOperations(projectId, fault.fail_operations);
        try {
          await next();
        } finally {
          this.failOperations(projectId, undefined);
        }
      } else {
        await next();
      }
      if (fault.drop === 'after' && socket) socket.destroy();
    };
  }
}

/**
 * The admin endpoint, mounted outside /api/v2: behind the API key when fault injection is
 * enabled, a 403 that says how to enable it otherwise.
 */
export function faultAdmin(faults: FaultInjector | undefined, apiKey: string) {
  if (!faults) {
    return new Hono().all('*', () => {
      throw forbidden('fault injection is disabled; start the server with NEON_LOCAL_FAULTS=1');
    });
  }
  return new Hono()
    .use(requireAuth(apiKey))
    .get('/', (c) => c.json({ faults: faults.list() }))
    .post('/', async (c) => {
      const fault = faults.arm(await readBody(c, faultSchema));
      const { pattern: _pattern, ...shown } = fault;
      return c.json({ fault: shown }, 201);
    })
    .delete('/', (c) => {
      faults.clear();
      return c.body(null, 204);
    });
}
