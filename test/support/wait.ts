export interface WaitOptions {
  /** Give up after this long in total. */
  timeoutMs?: number;
  intervalMs?: number;
  /** What is being waited for, for the failure message. */
  what?: string;
}

/**
 * Polls until `probe` returns a value other than undefined/false, with a hard timeout: never a bare sleep.
 * Returns that value.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits until `snapshot` stops changing for `stallMs` (quiescence), failing after `timeoutMs`.
 * For queue tests: "nothing more is happening", rather than a guessed sleep.
 */
export async function waitForQuiescence<T>(
  snapshot: () => Promise<T>,
  options: { stallMs?: number; timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const { stallMs = 500, timeoutMs = 30_000, what = 'quiescence' } = options;
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await snapshot());
  let stableSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const current = await snapshot();
    const serialized = JSON.stringify(current);
    if (serialized !== last) {
      last = serialized;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= stallMs) {
      return current;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last state ${serialized}`);
  }
}
