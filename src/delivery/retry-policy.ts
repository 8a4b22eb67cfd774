/**
 * What one attempt's result means for the delivery. The last two come from the endpoint's transformation (§7.4),
 * with no request sent: it skipped the delivery, or it failed.
 */
export type AttemptOutcome =
  'succeeded' | 'retryable' | 'final' | 'gone' | 'refused' | 'cancelled' | 'transformation_failed';

const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);
const JITTER = 0.2;

/** The contract's classification of an HTTP answer. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 410) return 'gone';
  if (RETRYABLE_STATUSES.has(status) || status >= 500) return 'retryable';
  return 'final';
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before the next attempt after `attemptsMade` attempts: the schedule's entry (the last one repeats) with
 * ±20 % jitter; a receiver's Retry-After replaces it, clamped to at most twice the scheduled delay.
 */
export function nextDelayMs(
  scheduleMs: number[],
  attemptsMade: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const scheduled = scheduleMs[Math.min(Math.max(attemptsMade - 1, 0), scheduleMs.length - 1)] ?? 0;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 2 * scheduled);
  return Math.round(scheduled * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * How long a job held back by a paused endpoint waits: until the pause ends (`waitMs`), plus a random share of
 * the cooldown, so a backlog of thousands comes back spread over a cooldown rather than at one instant, when it
 * would queue ahead of every other endpoint's jobs. The probe that reopens the endpoint is whichever comes first.
 */
export function pausedWaitMs(waitMs: number, cooldownMs: number, random = Math.random): number {
  return Math.round(waitMs + cooldownMs * random());
}
