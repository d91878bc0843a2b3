import { afterAll, beforeAll } from 'vitest';
import { openEngine } from './compute-helpers.ts';

export type Engine = Awaited<ReturnType<typeof openEngine>>;

/**
 * The calling test file's own compute engine (its own data directory), opened before its
 * tests and closed after them, every Postgres stopped. The fields are set once `beforeAll` ran.
 */
export function engineSuite(options: Parameters<typeof openEngine>[0] = {}): Engine {
  const engine = {} as Engine;
  beforeAll(async () => {
    Object.assign(engine, await openEngine(options));
  }, 120_000);
  afterAll(() => engine.close?.(), 60_000);
  return engine;
}
