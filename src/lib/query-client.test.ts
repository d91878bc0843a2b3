import { describe, expect, it } from 'vitest';
import { retryDelayMs, shouldRetryMutation, shouldRetryQuery } from '@/lib/query-client';

const api = (status: number, headers: Record<string, string> = {}) => ({
  kind: 'api',
  status,
  response: new Response(null, { status, headers }),
});
const network = { kind: 'network', reason: 'ECONNRESET' };

describe('retry policy', () => {
  it('retries 423, 429 and 503 for reads and writes, a few times', () => {
    for (const status of [423, 429, 503]) {
      expect(shouldRetryQuery(0, api(status))).toBe(true);
      expect(shouldRetryMutation(0, api(status))).toBe(true);
      expect(shouldRetryMutation(4, api(status))).toBe(false);
    }
  });

  it('never retries other refusals', () => {
    for (const status of [400, 401, 404, 409, 422, 500]) {
      expect(shouldRetryQuery(0, api(status))).toBe(false);
      expect(shouldRetryMutation(0, api(status))).toBe(false);
    }
  });

  it('re-reads after a network error but never re-sends a write', () => {
    expect(shouldRetryQuery(0, network)).toBe(true);
    expect(shouldRetryQuery(2, network)).toBe(false);
    expect(shouldRetryMutation(0, network)).toBe(false);
  });

  it('backs off exponentially, honouring Retry-After', () => {
    expect(retryDelayMs(0, api(423), () => 0)).toBe(250);
    expect(retryDelayMs(3, api(423), () => 1)).toBe(4000);
    expect(retryDelayMs(10, api(423), () => 1)).toBe(8000);
    expect(retryDelayMs(0, api(429, { 'retry-after': '2' }))).toBe(2000);
  });
});
