import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS } from '../../src/common/redis/redis-client';
import { EndpointGate } from '../../src/endpoints/endpoint-gate';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The endpoint gate serves the acquires and the records of concurrent jobs with one Redis script call each, and the
 * jobs of one batch still see each other: the cap and the breaker hold within a batch as across batches.
 */
describe('batched endpoint gate', () => {
  let app: TestApp;
  let gate: EndpointGate;
  let redis: Redis;
  let sendCommand: jest.SpyInstance;

  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { ENDPOINT_CONCURRENCY: '3', ENDPOINT_BREAKER_FAILURES: '3', ENDPOINT_BREAKER_COOLDOWN_MS: '60000' },
    });
    gate = app.app.get(EndpointGate);
    redis = app.app.get<Redis>(REDIS);
    sendCommand = jest.spyOn(redis, 'sendCommand');
  });

  afterAll(() => app?.stop());

  /** Script calls (EVALSHA, or EVAL when Redis did not have the script yet) that touched this endpoint's keys. */
  function scriptCallsFor(endpointId: string): number {
    return sendCommand.mock.calls.filter(([command]: [{ name: string; args: unknown[] }]) => {
      const isScript = command.name === 'evalsha' || command.name === 'eval';
      return isScript && command.args.some((arg) => String(arg).endsWith(`:${endpointId}`));
    }).length;
  }

  it('five jobs of one endpoint acquire together: three pass the cap of three, two are told to wait, in one call', async () => {
    const endpointId = randomUUID();
    const decisions = await Promise.all(
      ['j1', 'j2', 'j3', 'j4', 'j5'].map((jobId) => gate.acquire(endpointId, jobId, 60_000)),
    );
    expect(decisions.filter((decision) => decision.pass)).toHaveLength(3);
    expect(decisions.filter((decision) => !decision.pass && decision.reason === 'busy')).toHaveLength(2);
    expect(scriptCallsFor(endpointId)).toBe(1);
    expect(gate.heldBackLately(endpointId)).toBe(true);
    expect(await redis.zcard(`${app.config.redis.prefix}:endpoint:slots:${endpointId}`)).toBe(3);
  });

  it('four failures recorded together open the breaker from the third on, in one call; then every job waits', async () => {
    const endpointId = randomUUID();
    const jobs = ['f1', 'f2', 'f3', 'f4'];
    await Promise.all(jobs.map((jobId) => gate.acquire(endpointId, jobId, 60_000)));
    const before = scriptCallsFor(endpointId);
    const opened = await Promise.all(jobs.map((jobId) => gate.record(endpointId, jobId, false, 'HTTP 500')));
    expect(opened).toEqual([false, false, true, true]);
    expect(scriptCallsFor(endpointId) - before).toBe(1);

    const health = await gate.health(endpointId);
    expect(health).toMatchObject({ state: 'paused', recentSuccessRate: 0, lastError: 'HTTP 500' });
    const next = await gate.acquire(endpointId, 'f5', 60_000);
    expect(next).toMatchObject({ pass: false, reason: 'paused' });
  });

  it('an endpoint whose gate let every job through is not said to have held one back', async () => {
    const endpointId = randomUUID();
    expect(await gate.acquire(endpointId, 'only', 60_000)).toEqual({ pass: true });
    expect(gate.heldBackLately(endpointId)).toBe(false);
    expect(await gate.record(endpointId, 'only', true, null)).toBe(false);
    expect(await gate.health(endpointId)).toMatchObject({ state: 'healthy', recentSuccessRate: 1 });
  });
});
