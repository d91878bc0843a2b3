import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/errors.ts';

const TIMEOUT_MS = 10_000;

export type KeyCheckResult =
  | { state: 'accepted'; sentence: string }
  /** Neon refused the key: nothing can work until the server restarts with another. */
  | { state: 'refused'; sentence: string }
  /** Neon could not be asked (unreachable, or an answer we cannot read): it may come back. */
  | { state: 'unknown'; sentence: string };

/**
 * Neon mode's start-up question: whom does the key belong to? `GET /auth` tells (Neon's MCP
 * server and CLI ask it first); a server without it (an older Neon-compatible one) is asked `GET /users/me`.
 * While the answer is "refused", the API answers every call with that one sentence instead
 * of forwarding calls that can only fail, so the page says what the log says.
 */
export class NeonKeyCheck {
  private result: KeyCheckResult | undefined;
  private pending: Promise<KeyCheckResult> | undefined;

  constructor(
    private readonly upstreamUrl: string,
    private readonly apiKey: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  run(): Promise<KeyCheckResult> {
    this.pending = this.ask().then((result) => (this.result = result));
    return this.pending;
  }

  /**
   * Answers for Neon while the key is known to be refused. Calls arriving while the check
   * runs wait for it, so the first page load already reads the same sentence as the log.
   */
  middleware(): MiddlewareHandler {
    return async (_c, next) => {
      if (this.pending && !this.result) await this.pending;
      if (this.result?.state === 'refused') throw new ApiError(401, this.result.sentence);
      await next();
    };
  }

  private async get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.fetchImpl(`${this.upstreamUrl.replace(/\/+$/, '')}${path}`, {
      headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: judged by the status alone.
    }
    return { status: response.status, body };
  }

  /** Neon's own words, without the key should an upstream ever echo it. */
  private said(body: Record<string, unknown>): string {
    const message = typeof body.message === 'string' ? body.message : '';
    return message.split(this.apiKey).join('…').slice(0, 200);
  }

  private async ask(): Promise<KeyCheckResult> {
    const origin = new URL(this.upstreamUrl).origin;
    try {
      let answer = await this.get('/auth');
      if (answer.status === 200) {
        const method = answer.body.auth_method;
        const account = typeof answer.body.account_id === 'string' ? answer.body.account_id : '?';
        const kind =
          method === 'api_key_org'
            ? 'an organization or project-scoped key'
            : method === 'api_key_user'
              ? 'a personal key'
              : `a credential of kind ${String(method)}`;
        return { state: 'accepted', sentence: `accepted by ${origin}: ${kind} of ${account}` };
      }
      if (answer.status === 404 || answer.status === 501) {
        answer = await this.get('/users/me');
        if (answer.status === 200) {
          return { state: 'accepted', sentence: `accepted by ${origin} (GET /users/me answered)` };
        }
      }
      if (answer.status === 401 || answer.status === 403) {
        const words = this.said(answer.body);
        return {
          state: 'refused',
          sentence: `The Neon API at ${origin} refused the key in NEON_API_KEY (${answer.status}${words ? `: ${words}` : ''}); restart the server with a valid key.`,
        };
      }
      const words = this.said(answer.body);
      return {
        state: 'unknown',
        sentence: `not checked: the Neon API at ${origin} answered ${answer.status}${words ? ` (${words})` : ''} to who the key belongs to.`,
      };
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer in ${TIMEOUT_MS / 1000} s`
          : ((error as { cause?: { code?: string; message?: string } }).cause?.code ??
            (error as { cause?: { message?: string } }).cause?.message ??
            String(error));
      return {
        state: 'unknown',
        sentence: `The Neon API at ${origin} could not be reached (${reason}); check NEON_API_URL and the network. The console will say so until it can.`,
      };
    }
  }
}
