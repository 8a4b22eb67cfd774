import { classifyStatus, nextDelayMs, parseRetryAfter } from './retry-policy';

describe('delivery retry policy', () => {
  it('classifies answers exactly as the contract says', () => {
    expect([200, 201, 204, 299].map(classifyStatus)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect([408, 409, 425, 429, 500, 502, 503, 599].every((status) => classifyStatus(status) === 'retryable')).toBe(true);
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
});
