/**
 * A small read-through cache for the hot paths: one load in flight per key (concurrent misses share it), entries
 * kept `ttlMs` at most, at most `maxEntries` keys (the oldest go first), and `clear()` when the source changes.
 */
export class LoadingCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; until: number }>();
  private generation = 0;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  get(key: string, now = Date.now()): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.until > now) return entry.value;
    const generation = this.generation;
    const value = this.load(key);
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // A failed load is not cached; neither is one that a clear() overtook (it may hold the old state).
    value.then(
      () => {
        if (generation !== this.generation) this.forget(key, value);
      },
      () => this.forget(key, value),
    );
    return value;
  }

  /** Stores a known value for `key` (kept `ttlMs`, like a loaded one). */
  set(key: string, value: V, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value: Promise.resolve(value), until: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private forget(key: string, value: Promise<V>): void {
    if (this.entries.get(key)?.value === value) this.entries.delete(key);
  }
}
