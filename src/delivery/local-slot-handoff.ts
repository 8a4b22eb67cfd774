/** A slot held this briefly, on average, makes waiting in the worker for the next one to end cheaper than a trip through the queue. */
export const FAST_ATTEMPT_MS = 100;
/** The longest a job waits in the worker for its endpoint's next free slot before it goes back to the queue. */
export const MAX_HOLD_MS = 1_000;
/** How much each new attempt's duration moves an endpoint's running average. */
const AVERAGE_WEIGHT = 0.2;

/** Per endpoint this worker has attempted (a few numbers each; endpoints are few and never purged). */
interface EndpointAttempts {
  inFlight: number;
  averageMs: number | null;
  holders: (() => void)[];
}

/**
 * What this worker process knows of its own attempts per endpoint, so that a job its endpoint's cap holds back can
 * wait in the worker for the slot one of those attempts is about to free, instead of a round trip through BullMQ's
 * delayed set (three Redis scripts and a fetch, repeated for every job while the cap binds: half the delivery CPU of
 * a busy endpoint at the default settings, npm run bench).
 *
 * A job may hold only when the wait is short and certain: an attempt of its endpoint is in flight here (so a slot
 * comes free here), attempts of that endpoint end quickly (FAST_ATTEMPT_MS on average), and there are fewer jobs
 * holding for it than attempts in flight, so each holder expects one slot. A slow endpoint's jobs never hold: they
 * would keep worker slots from every other endpoint (contract §6.3).
 */
export class LocalSlotHandoff {
  private readonly endpoints = new Map<string, EndpointAttempts>();

  private of(endpointId: string): EndpointAttempts {
    let attempts = this.endpoints.get(endpointId);
    if (!attempts) {
      attempts = { inFlight: 0, averageMs: null, holders: [] };
      this.endpoints.set(endpointId, attempts);
    }
    return attempts;
  }

  /** An attempt to the endpoint took its slot. */
  started(endpointId: string): void {
    this.of(endpointId).inFlight += 1;
  }

  /**
   * The job that took a slot has given it back to the gate; the longest-waiting holder is told to take it. `heldMs`,
   * how long the slot was held, is given only when an attempt was made: a job that gave its slot back without one
   * (its delivery was finished or busy, it went back to the queue) says nothing of how long the endpoint takes.
   */
  finished(endpointId: string, heldMs?: number): void {
    const attempts = this.of(endpointId);
    attempts.inFlight = Math.max(0, attempts.inFlight - 1);
    if (heldMs !== undefined)
      attempts.averageMs =
        attempts.averageMs === null ? heldMs : attempts.averageMs + AVERAGE_WEIGHT * (heldMs - attempts.averageMs);
    attempts.holders.shift()?.();
  }

  /** Whether a job held back by the endpoint's cap should wait here for the next slot (see the class). */
  mayHold(endpointId: string): boolean {
    const attempts = this.endpoints.get(endpointId);
    return (
      attempts !== undefined &&
      attempts.inFlight > attempts.holders.length &&
      attempts.averageMs !== null &&
      attempts.averageMs <= FAST_ATTEMPT_MS
    );
  }

  /** Waits until an attempt of the endpoint ends here (true) or `timeoutMs` passes (false). */
  hold(endpointId: string, timeoutMs: number): Promise<boolean> {
    const attempts = this.of(endpointId);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = attempts.holders.indexOf(wake);
        if (index >= 0) attempts.holders.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      attempts.holders.push(wake);
    });
  }
}
