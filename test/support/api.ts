import { loadConfig } from '../../server/config.ts';
import { createApp, type AppOptions, type ServerApp } from '../../server/app.ts';
import { testServerEnv } from './test-env.ts';

/**
 * A response body as the client reads it. Its shape is checked by the contract test against
 * Neon's schemas, so the other tests read it freely.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: Body;
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON unless it is a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Leave out the Authorization header. */
  anonymous?: boolean;
}

export const API_KEY = 'test-api-key';

/** Fills `{name}` placeholders of a spec path template with percent-encoded values. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

export interface InProcessApi {
  server: ServerApp;
  /** `path` is under /api/v2 unless it starts with `/api/` or `/__`. */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Stops the computes (when on) and closes the store. */
  close(): Promise<void>;
}

async function readResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: Body;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * The real app called in-process through Hono's `app.request()` (no socket): in-memory store
 * with the demo seed, instant operations and no rate limits unless `env` says otherwise.
 */
export function inProcessApi(
  env: Record<string, string> = {},
  options: AppOptions = {},
): InProcessApi {
  const server = createApp(
    loadConfig(testServerEnv({ NEON_API_KEY: API_KEY, ...env })),
    undefined,
    options,
  );
  return {
    server,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { host: 'localhost', ...options.headers };
      if (!options.anonymous && !('authorization' in headers) && !('Authorization' in headers)) {
        headers.authorization = `Bearer ${server.apiKey}`;
      }
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json';
      }
      const url = `http://localhost${path.startsWith('/api/') || path.startsWith('/__') ? '' : '/api/v2'}${path}`;
      return readResponse(await server.app.request(url, { method, headers, body }));
    },
    close: () => server.close(),
  };
}
