import { describe, expect, it } from 'vitest';
import { createModuleLoader } from '@/lib/module-loader';

describe('createModuleLoader', () => {
  it('imports once, tells subscribers, and tries again after a failure', async () => {
    let calls = 0;
    let fail = true;
    const loader = createModuleLoader(async () => {
      calls++;
      if (fail) throw new TypeError('Failed to fetch dynamically imported module');
      return { answer: 42 };
    });
    const seen: string[] = [];
    loader.subscribe(() => seen.push(loader.getState().status));
    expect(loader.getState().status).toBe('idle');

    loader.load();
    loader.load();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toBe(1);
    expect(loader.getState()).toMatchObject({ status: 'failed', error: expect.any(TypeError) });

    fail = false;
    loader.load();
    await Promise.resolve();
    await Promise.resolve();
    expect(loader.getState()).toEqual({ status: 'ready', module: { answer: 42 } });
    loader.load();
    expect(calls).toBe(2);
    expect(seen).toEqual(['loading', 'failed', 'loading', 'ready']);
  });
});
