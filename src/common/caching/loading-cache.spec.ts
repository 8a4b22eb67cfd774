import { LoadingCache } from './loading-cache';

describe('LoadingCache', () => {
  it('shares one load between concurrent misses and serves hits until the TTL', async () => {
    let loads = 0;
    const cache = new LoadingCache(async (key) => `${key}:${++loads}`, 1_000);
    expect(await Promise.all([cache.get('a', 0), cache.get('a', 0)])).toEqual(['a:1', 'a:1']);
    expect(await cache.get('a', 999)).toBe('a:1');
    expect(await cache.get('a', 1_000)).toBe('a:2');
  });

  it('keeps at most maxEntries keys, dropping the oldest', async () => {
    let loads = 0;
    const cache = new LoadingCache(async (key) => `${key}:${++loads}`, 60_000, 2);
    await cache.get('a', 0);
    await cache.get('b', 0);
    await cache.get('c', 0);
    expect(await cache.get('b', 0)).toBe('b:2');
    expect(await cache.get('a', 0)).toBe('a:4');
  });

  it('does not keep a failed load, nor a load overtaken by clear()', async () => {
    let loads = 0;
    let release!: () => void;
    const cache = new LoadingCache(async (key) => {
      loads += 1;
      if (loads === 1) throw new Error('down');
      if (loads === 2) await new Promise<void>((resolve) => (release = resolve));
      return `${key}:${loads}`;
    }, 60_000);
    await expect(cache.get('a', 0)).rejects.toThrow('down');
    const pending = cache.get('a', 0);
    cache.clear();
    release();
    expect(await pending).toBe('a:2');
    expect(await cache.get('a', 0)).toBe('a:3');
  });
});
