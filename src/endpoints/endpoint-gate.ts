import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { CallBatcher } from '../common/async/call-batcher';
import { REDIS, RedisKeys } from '../common/redis/redis-client';
import { AppConfig } from '../config/app-config';

/** Whether a delivery job may attempt now, and if not, how long to wait (without using an attempt). */
export type GateDecision = { pass: true } | { pass: false; reason: 'busy' | 'paused'; waitMs: number };

/** `GET /endpoints/:id` → `health` (contract §6.3). */
export interface EndpointHealth {
  state: 'healthy' | 'degraded' | 'paused';
  recentSuccessRate: number | null;
  lastAttemptAt: string | null;
  lastError: string | null;
}

/** Outcomes remembered per endpoint for its success rate. */
const RECENT_OUTCOMES = 50;
/** Most jobs one gate script serves; more waiting go into the next call. */
const MAX_BATCH = 64;
/** How long this process remembers that an endpoint's gate held a job back. */
const HELD_BACK_MEMORY_MS = 1_000;
/** How soon a job that found its endpoint at the cap looks again. */
const BUSY_WAIT_MS = 100;

/**
 * Each job of a batch in turn, so jobs of one endpoint see each other's slots. KEYS: slots (sorted set job → lease
 * expiry) and breaker (hash) per job. ARGV: now, cap, then job id and lease ms per job. Returns per job {1} to pass,
 * or {0, reason, wait ms}. A breaker that is open lets one job through as a probe once its cooldown has passed
 * (half-open); the others wait.
 */
const ACQUIRE_BATCH = `
local now = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local function acquire(slots, breaker, job, lease)
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
  local openUntil = tonumber(redis.call('HGET', breaker, 'openUntil') or '0')
  if openUntil > now then return {0, 'paused', openUntil - now} end
  if openUntil > 0 then
    local probe = redis.call('HGET', breaker, 'probe')
    if probe and probe ~= job then return {0, 'paused', 1000} end
    redis.call('HSET', breaker, 'probe', job)
  end
  if not redis.call('ZSCORE', slots, job) and redis.call('ZCARD', slots) >= cap then
    return {0, 'busy', ${BUSY_WAIT_MS}}
  end
  redis.call('ZADD', slots, now + lease, job)
  redis.call('PEXPIRE', slots, lease)
  return {1}
end
local results = {}
for i = 1, #KEYS / 2 do
  results[i] = acquire(KEYS[2 * i - 1], KEYS[2 * i], ARGV[1 + 2 * i], tonumber(ARGV[2 + 2 * i]))
end
return results
`;

/**
 * Each outcome of a batch in turn. KEYS: slots, breaker, outcomes (list) per job. ARGV: now, failures to open,
 * cooldown ms, then job id, succeeded (1/0) and error per job. Frees each job's slot and records its outcome: a
 * success closes the breaker; a run of failures (or a failed probe) opens it for the cooldown. Returns per job 1 when
 * its outcome opened the breaker, else 0.
 */
const RECORD_BATCH = `
local now = ARGV[1]
local function record(slots, breaker, outcomes, job, succeeded, lastError)
  redis.call('ZREM', slots, job)
  redis.call('LPUSH', outcomes, succeeded)
  redis.call('LTRIM', outcomes, 0, ${RECENT_OUTCOMES - 1})
  redis.call('HSET', breaker, 'lastAttemptAt', now)
  if succeeded == '1' then
    redis.call('HDEL', breaker, 'openUntil', 'probe', 'failures', 'lastError')
    return 0
  end
  redis.call('HSET', breaker, 'lastError', lastError)
  local failures = redis.call('HINCRBY', breaker, 'failures', 1)
  local probing = redis.call('HGET', breaker, 'probe') == job
  if failures >= tonumber(ARGV[2]) or probing then
    redis.call('HSET', breaker, 'openUntil', tonumber(now) + tonumber(ARGV[3]))
    redis.call('HDEL', breaker, 'probe')
    return 1
  end
  return 0
end
local results = {}
for i = 1, #KEYS / 3 do
  local arg = 1 + 3 * i
  results[i] = record(KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i], ARGV[arg], ARGV[arg + 1], ARGV[arg + 2])
end
return results
`;

/**
 * KEYS: log (sorted set: attempts started in the last second), reservations (hash job → slot time), next (the first
 * slot not reserved). ARGV: job id, attempts per second. Times are Redis's own clock, the same for every worker.
 * The log caps what starts in any 1.05 s at the rate (the margin absorbs the variable time from here to the receiver, so
 * it sees at most the rate in any second). A job that cannot start now reserves the next slot (slots are 1050/rate ms
 * apart) and is told to come back then, so a backlog drains evenly instead of polling; a job back late
 * for its slot does not push the later slots back (the log lets the pace catch up, never beyond the cap).
 * Returns {1} to go, or {0, wait ms}.
 */
const TAKE_RATE = `
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local rate = tonumber(ARGV[2])
local window = 1050
local interval = window / rate
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', clock - window)
local reserved = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local nextSlot = tonumber(redis.call('GET', KEYS[3]) or '0')
local full = redis.call('ZCARD', KEYS[1]) >= rate
local freeAt = clock
if full then freeAt = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) + window end
if reserved < 0 and (nextSlot > clock or full) then
  local slot = math.max(nextSlot, freeAt)
  local ttl = math.ceil(slot - clock) + 60000
  redis.call('HSET', KEYS[2], ARGV[1], slot)
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('SET', KEYS[3], slot + interval, 'PX', ttl)
  return {0, math.ceil(slot - clock)}
end
if reserved > clock or full then return {0, math.ceil(math.max(reserved, freeAt) - clock)} end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], clock, ARGV[1] .. ':' .. clock)
redis.call('PEXPIRE', KEYS[1], 2 * window)
if reserved < 0 then redis.call('SET', KEYS[3], clock + interval, 'PX', 60000) end
return {1}
`;

interface AcquireRequest {
  endpointId: string;
  jobId: string;
  leaseMs: number;
}

interface RecordRequest {
  endpointId: string;
  jobId: string;
  succeeded: boolean;
  error: string | null;
}

interface GateCommands {
  endpointTakeRate(
    log: string,
    reservations: string,
    next: string,
    jobId: string,
    perSecond: number,
  ): Promise<[number, number?]>;
  /** Arguments: the number of keys, the keys, then ARGV (ACQUIRE_BATCH). */
  endpointAcquireBatch(...args: (string | number)[]): Promise<[number, string?, number?][]>;
  /** Arguments: the number of keys, the keys, then ARGV (RECORD_BATCH). */
  endpointRecordBatch(...args: (string | number)[]): Promise<number[]>;
}

/**
 * Fairness between endpoints, across every worker process (Redis): at most ENDPOINT_CONCURRENCY attempts in flight
 * per endpoint, and a circuit breaker that pauses an endpoint after ENDPOINT_BREAKER_FAILURES failed attempts in a
 * row, then lets one probe through per ENDPOINT_BREAKER_COOLDOWN_MS. Jobs held back wait in BullMQ's delayed set
 * without using an attempt, so one slow or dead endpoint cannot take every worker slot; so do jobs beyond an endpoint's
 * rateLimitPerSecond (takeRate). Fails open without Redis.
 */
@Injectable()
export class EndpointGate {
  private readonly redis: RedisClient & GateCommands;
  /** The acquires and the records of concurrent jobs go to Redis as one script call each: two per batch, not per job. */
  private readonly acquires = new CallBatcher((requests: AcquireRequest[]) => this.acquireBatch(requests), {
    maxBatch: MAX_BATCH,
  });
  private readonly records = new CallBatcher((requests: RecordRequest[]) => this.recordBatch(requests), {
    maxBatch: MAX_BATCH,
  });
  /** When this process last saw each endpoint's gate hold a job back (busy or paused). */
  private readonly heldBackAt = new Map<string, number>();

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {
    redis.defineCommand('endpointAcquireBatch', { lua: ACQUIRE_BATCH });
    redis.defineCommand('endpointRecordBatch', { lua: RECORD_BATCH });
    redis.defineCommand('endpointTakeRate', { numberOfKeys: 3, lua: TAKE_RATE });
    this.redis = redis as RedisClient & GateCommands;
  }

  /** Takes a slot for this job, or says how long to wait. `leaseMs` bounds a slot a crashed worker never frees. */
  acquire(endpointId: string, jobId: string, leaseMs: number): Promise<GateDecision> {
    return this.acquires.submit({ endpointId, jobId, leaseMs });
  }

  /** Fails open: without Redis every job passes. */
  private async acquireBatch(requests: AcquireRequest[]): Promise<GateDecision[]> {
    const keys = requests.flatMap(({ endpointId }) => [this.key('slots', endpointId), this.key('breaker', endpointId)]);
    const perJob = requests.flatMap(({ jobId, leaseMs }) => [jobId, leaseMs]);
    try {
      const results = await this.redis.endpointAcquireBatch(
        keys.length,
        ...keys,
        Date.now(),
        this.config.endpointGate.concurrency,
        ...perJob,
      );
      const now = Date.now();
      return results.map(([pass, reason, waitMs], index) => {
        if (pass === 1) return { pass: true };
        this.heldBackAt.set(requests[index].endpointId, now);
        return { pass: false, reason: reason as 'busy' | 'paused', waitMs: Number(waitMs) };
      });
    } catch {
      return requests.map(() => ({ pass: true }));
    }
  }

  /** Whether this process saw the endpoint's gate hold a job back in the last second (its cap binds, or it is paused). */
  heldBackLately(endpointId: string): boolean {
    const at = this.heldBackAt.get(endpointId);
    if (at === undefined) return false;
    if (Date.now() - at < HELD_BACK_MEMORY_MS) return true;
    this.heldBackAt.delete(endpointId);
    return false;
  }

  /**
   * A place in the endpoint's rate (rateLimitPerSecond, across every worker) for an attempt about to start, or how
   * long to wait for the slot reserved for this job. Fails open without Redis.
   */
  async takeRate(
    endpointId: string,
    jobId: string,
    perSecond: number,
  ): Promise<{ pass: true } | { pass: false; waitMs: number }> {
    try {
      const [pass, waitMs] = await this.redis.endpointTakeRate(
        this.key('rate-log', endpointId),
        this.key('rate-reservations', endpointId),
        this.key('rate-next', endpointId),
        jobId,
        perSecond,
      );
      return pass === 1 ? { pass: true } : { pass: false, waitMs: Number(waitMs) };
    } catch {
      return { pass: true };
    }
  }

  /** Frees the job's slot without an outcome (the job did not attempt after all). */
  async release(endpointId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.key('slots', endpointId), jobId).catch(() => undefined);
  }

  /** Frees the job's slot and feeds the breaker; true when this outcome opened it (the endpoint is now paused). */
  record(endpointId: string, jobId: string, succeeded: boolean, error: string | null): Promise<boolean> {
    return this.records.submit({ endpointId, jobId, succeeded, error });
  }

  /** Without Redis nothing is recorded, and no outcome opens the breaker. */
  private async recordBatch(requests: RecordRequest[]): Promise<boolean[]> {
    const { breakerFailures, breakerCooldownMs } = this.config.endpointGate;
    const keys = requests.flatMap(({ endpointId }) => [
      this.key('slots', endpointId),
      this.key('breaker', endpointId),
      this.key('outcomes', endpointId),
    ]);
    const perJob = requests.flatMap(({ jobId, succeeded, error }) => [
      jobId,
      succeeded ? 1 : 0,
      (error ?? '').slice(0, 500),
    ]);
    try {
      const opened = await this.redis.endpointRecordBatch(
        keys.length,
        ...keys,
        Date.now(),
        breakerFailures,
        breakerCooldownMs,
        ...perJob,
      );
      return opened.map((flag) => flag === 1);
    } catch {
      return requests.map(() => false);
    }
  }

  async health(endpointId: string): Promise<EndpointHealth> {
    const [breaker, outcomes] = await Promise.all([
      this.redis.hgetall(this.key('breaker', endpointId)),
      this.redis.lrange(this.key('outcomes', endpointId), 0, -1),
    ]).catch((): [Record<string, string>, string[]] => [{}, []]);
    const rate = outcomes.length ? outcomes.filter((outcome) => outcome === '1').length / outcomes.length : null;
    const paused = Number(breaker.openUntil ?? 0) > 0;
    return {
      state: paused ? 'paused' : rate !== null && rate < 1 ? 'degraded' : 'healthy',
      recentSuccessRate: rate,
      lastAttemptAt: breaker.lastAttemptAt ? new Date(Number(breaker.lastAttemptAt)).toISOString() : null,
      lastError: breaker.lastError || null,
    };
  }

  private key(kind: string, endpointId: string): string {
    return this.keys.grouped('endpoint', kind, endpointId);
  }
}
