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

/**
 * A code-split module as observable state. Unlike React.lazy, a component can render the
 * loaded module synchronously (lazy suspends on first render even when the module has
 * arrived, and React then holds the reveal for its ~300 ms Suspense throttle), and can show
 * a failed import instead of a fallback that never ends.
 */
export function createModuleLoader<T>(importer: () => Promise<T>): ModuleLoader<T> {
  let state: ModuleState<T> = { status: 'idle' };
  const listeners = new Set<() => void>();
  const set = (next: ModuleState<T>) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    load() {
      if (state.status === 'loading' || state.status === 'ready') return;
      set({ status: 'loading' });
      importer().then(
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
