import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
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
/** How soon a job that found its endpoint at the cap looks again. */
const BUSY_WAIT_MS = 100;

/**
 * KEYS: slots (sorted set job → lease expiry), breaker (hash). ARGV: job id, now, lease ms, cap.
 * Returns {1} to pass, or {0, reason, wait ms}. A breaker that is open lets one job through as a probe once its
 * cooldown has passed (half-open); the others wait.
 */
const ACQUIRE = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local openUntil = tonumber(redis.call('HGET', KEYS[2], 'openUntil') or '0')
if openUntil > now then return {0, 'paused', openUntil - now} end
if openUntil > 0 then
  local probe = redis.call('HGET', KEYS[2], 'probe')
  if probe and probe ~= ARGV[1] then return {0, 'paused', 1000} end
  redis.call('HSET', KEYS[2], 'probe', ARGV[1])
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return {0, 'busy', ${BUSY_WAIT_MS}}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1}
`;

/**
 * KEYS: slots, breaker, outcomes (list). ARGV: job id, now, succeeded (1/0), error, failures to open, cooldown ms.
 * Frees the job's slot and records the outcome: a success closes the breaker; a run of failures (or a failed probe)
 * opens it for the cooldown.
 */
const RECORD = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], 0, ${RECENT_OUTCOMES - 1})
redis.call('HSET', KEYS[2], 'lastAttemptAt', ARGV[2])
if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[2], 'openUntil', 'probe', 'failures', 'lastError')
  return 0
end
redis.call('HSET', KEYS[2], 'lastError', ARGV[4])
local failures = redis.call('HINCRBY', KEYS[2], 'failures', 1)
local probing = redis.call('HGET', KEYS[2], 'probe') == ARGV[1]
if failures >= tonumber(ARGV[5]) or probing then
  redis.call('HSET', KEYS[2], 'openUntil', tonumber(ARGV[2]) + tonumber(ARGV[6]))
  redis.call('HDEL', KEYS[2], 'probe')
  return 1
end
return 0
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

interface GateCommands {
  endpointTakeRate(
    log: string,
    reservations: string,
    next: string,
    jobId: string,
    perSecond: number,
  ): Promise<[number, number?]>;
  endpointAcquire(
    slots: string,
    breaker: string,
    jobId: string,
    now: number,
    leaseMs: number,
    cap: number,
  ): Promise<[number, string?, number?]>;
  endpointRecord(
    slots: string,
    breaker: string,
    outcomes: string,
    jobId: string,
    now: number,
    succeeded: number,
    error: string,
    failures: number,
    cooldownMs: number,
  ): Promise<number>;
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
  private readonly redis: Redis & GateCommands;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {
    redis.defineCommand('endpointAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('endpointRecord', { numberOfKeys: 3, lua: RECORD });
    redis.defineCommand('endpointTakeRate', { numberOfKeys: 3, lua: TAKE_RATE });
    this.redis = redis as Redis & GateCommands;
  }

  /** Takes a slot for this job, or says how long to wait. `leaseMs` bounds a slot a crashed worker never frees. */
  async acquire(endpointId: string, jobId: string, leaseMs: number): Promise<GateDecision> {
    try {
      const [pass, reason, waitMs] = await this.redis.endpointAcquire(
        this.key('slots', endpointId),
        this.key('breaker', endpointId),
        jobId,
        Date.now(),
        leaseMs,
        this.config.endpointGate.concurrency,
      );
      return pass === 1 ? { pass: true } : { pass: false, reason: reason as 'busy' | 'paused', waitMs: Number(waitMs) };
    } catch {
      return { pass: true };
    }
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
  async record(endpointId: string, jobId: string, succeeded: boolean, error: string | null): Promise<boolean> {
    const { breakerFailures, breakerCooldownMs } = this.config.endpointGate;
    try {
      const opened = await this.redis.endpointRecord(
        this.key('slots', endpointId),
        this.key('breaker', endpointId),
        this.key('outcomes', endpointId),
        jobId,
        Date.now(),
        succeeded ? 1 : 0,
        (error ?? '').slice(0, 500),
        breakerFailures,
        breakerCooldownMs,
      );
      return opened === 1;
    } catch {
      return false;
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
    return this.keys.key('endpoint', kind, endpointId);
  }
}
