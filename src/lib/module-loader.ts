export type ModuleState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; module: T }
  | { status: 'failed'; error: unknown };

export interface ModuleLoader<T> {
  /** Starts the import unless it is loading or loaded; after a failure it tries again. */
  load(): void;
  getState(): ModuleState<T>;
  subscribe(onChange: () => void): () => void;
}

/** Imports a module by its URL; the default is the browser's own `import()`. */
export type UrlImporter<T> = (url: string) => Promise<T>;

const importByUrl = <T>(url: string) => import(/* @vite-ignore */ url) as Promise<T>;

/**
 * A code-split module as observable state. Unlike React.lazy, a component can render the
 * loaded module synchronously (lazy suspends on first render even when the module has
 * arrived, and React then holds the reveal for its ~300 ms Suspense throttle), and can show
 * a failed import instead of a fallback that never ends.
 *
 * Some browsers (Debian's Chromium 150 among them) remember a failed module fetch for the life
 * of the page, so importing the same URL again fails at once even when the network is back.
 * A retry therefore imports the URL the failure names (Chromium and Firefox put it in the
 * message) under a fresh query; a failure that names none is retried as it was.
 */
export function createModuleLoader<T>(
  importer: () => Promise<T>,
  importUrl: UrlImporter<T> = importByUrl,
): ModuleLoader<T> {
  let state: ModuleState<T> = { status: 'idle' };
  let retries = 0;
  const listeners = new Set<() => void>();
  const set = (next: ModuleState<T>) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    load() {
      if (state.status === 'loading' || state.status === 'ready') return;
      const failedUrl = state.status === 'failed' ? moduleUrlOf(state.error) : undefined;
      set({ status: 'loading' });
      const attempt = failedUrl ? importUrl(withRetryQuery(failedUrl, ++retries)) : importer();
      attempt.then(
        (module) => set({ status: 'ready', module }),
        (error: unknown) => set({ status: 'failed', error }),
      );
    },
    getState: () => state,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}

/** The script URL a failed dynamic import names in its message, if it names one. */
export function moduleUrlOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return /\b(https?:\/\/\S+?\.m?js)(?:\?\S*)?(?=\s|$)/.exec(error.message)?.[1];
}

function withRetryQuery(url: string, retry: number): string {
  return `${url}?retry=${retry}`;
}
