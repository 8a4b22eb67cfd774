import { classifyStatus, nextDelayMs, parseRetryAfter, pausedWaitMs } from './retry-policy';

describe('delivery retry policy', () => {
  it('classifies answers exactly as the contract says', () => {
    expect([200, 201, 204, 299].map(classifyStatus)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect([408, 409, 425, 429, 500, 502, 503, 599].every((status) => classifyStatus(status) === 'retryable')).toBe(
      true,
    );
    expect(classifyStatus(410)).toBe('gone');
    expect([301, 302, 400, 401, 403, 404, 422].every((status) => classifyStatus(status) === 'final')).toBe(true);
  });

  it('follows the schedule with ±20 % jitter, repeating the last delay', () => {
    const schedule = [1_000, 10_000];
    expect(nextDelayMs(schedule, 1, undefined, () => 0)).toBe(800);
    expect(nextDelayMs(schedule, 1, undefined, () => 1)).toBe(1_200);
    expect(nextDelayMs(schedule, 2, undefined, () => 0.5)).toBe(10_000);
    expect(nextDelayMs(schedule, 7, undefined, () => 0.5)).toBe(10_000);
  });

  it('honours Retry-After, clamped to twice the scheduled delay', () => {
    expect(nextDelayMs([1_000], 1, 1_500)).toBe(1_500);
    expect(nextDelayMs([1_000], 1, 60_000)).toBe(2_000);
    expect(nextDelayMs([1_000], 1, 0)).toBe(0);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('spreads the jobs held back by a paused endpoint over a cooldown instead of waking them all at once', () => {
    // Seen in a chaos run: every held-back job woke at the same instant, the breaker's reopening, and the
    // healthy endpoints' jobs queued behind the whole backlog (a spike a cooldown apart).
    expect(pausedWaitMs(2_000, 30_000, () => 0)).toBe(2_000);
    expect(pausedWaitMs(2_000, 30_000, () => 0.5)).toBe(17_000);
    expect(pausedWaitMs(2_000, 30_000, () => 0.999)).toBeLessThan(32_000);
    const wakeUps = Array.from({ length: 10_000 }, () => pausedWaitMs(1_000, 10_000));
    const perSecond = new Map<number, number>();
    for (const wait of wakeUps)
      perSecond.set(Math.floor(wait / 1_000), (perSecond.get(Math.floor(wait / 1_000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThan(1_300);
  });
});
