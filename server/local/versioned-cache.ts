/**
 * Values derived from the store, kept until its version moves (any transaction ends): the
 * role list is the hottest read, and turning rows into objects and JSON costs more than
 * the query.
 */
export class VersionedCache<T> {
  private readonly values = new Map<string, T>();
  private seen = -1;

  constructor(private readonly version: () => number) {}

  get(key: string, compute: () => T): T {
    const version = this.version();
    if (version !== this.seen) {
      this.values.clear();
      this.seen = version;
    }
    let value = this.values.get(key);
    if (value === undefined) {
      value = compute();
      this.values.set(key, value);
    }
    return value;
  }
}
