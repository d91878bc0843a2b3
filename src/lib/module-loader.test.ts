import { describe, expect, it } from 'vitest';
import { createModuleLoader, moduleUrlOf } from '@/lib/module-loader';

const settle = async () => {
  await Promise.resolve();
  await Promise.resolve();
};

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
    await settle();
    expect(calls).toBe(1);
    expect(loader.getState()).toMatchObject({ status: 'failed', error: expect.any(TypeError) });

    fail = false;
    loader.load();
    await settle();
    expect(loader.getState()).toEqual({ status: 'ready', module: { answer: 42 } });
    loader.load();
    expect(calls).toBe(2);
    expect(seen).toEqual(['loading', 'failed', 'loading', 'ready']);
  });

  it('retries the URL a failure names under a fresh query, since the browser may remember the failure', async () => {
    const url = 'http://127.0.0.1:4000/assets/open-dialog-BHD2v2-U.js';
    const byUrl: string[] = [];
    let firstTries = 0;
    const loader = createModuleLoader(
      async () => {
        firstTries++;
        throw new TypeError(`Failed to fetch dynamically imported module: ${url}`);
      },
      async (retryUrl) => {
        byUrl.push(retryUrl);
        if (byUrl.length === 1)
          throw new TypeError(`Failed to fetch dynamically imported module: ${retryUrl}`);
        return { answer: 42 };
      },
    );
    loader.load();
    await settle();
    loader.load();
    await settle();
    expect(loader.getState().status).toBe('failed');
    loader.load();
    await settle();
    expect(loader.getState()).toEqual({ status: 'ready', module: { answer: 42 } });
    expect(firstTries).toBe(1);
    expect(byUrl).toEqual([`${url}?retry=1`, `${url}?retry=2`]);
  });
});

describe('moduleUrlOf', () => {
  it.each([
    [
      'Failed to fetch dynamically imported module: http://h:1/assets/a-1.js',
      'http://h:1/assets/a-1.js',
    ],
    [
      'error loading dynamically imported module: https://h/assets/a.js?retry=3',
      'https://h/assets/a.js',
    ],
    ['Importing a module script failed.', undefined],
  ])('%s', (message, url) => {
    expect(moduleUrlOf(new TypeError(message))).toBe(url);
  });

  it('is undefined for what is not an Error', () => {
    expect(moduleUrlOf('http://h/assets/a.js')).toBeUndefined();
  });
});
