import {
  ACME_SECRET,
  createEndpoint,
  sendAcmeUntilAcknowledged,
  sendThroughAFault,
  verifyDelivery,
} from '../delivery/support';
import { TestReceiver } from '../support/receiver';
import { RedisSentinelGroup } from '../support/redis-sentinel';
import { askRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** How many keys of the app's prefix a Redis server holds. */
const keysUnder = async (port: number, prefix: string) =>
  ((await askRedis(port, 'KEYS', `${prefix}:*`)) as string[]).length;

/**
 * REDIS_SENTINELS (issue 28): every Redis client of the process (the app's own, BullMQ's queues and workers) finds
 * the primary through real sentinels, and follows a failover while webhooks keep arriving.
 */
describe('Redis Sentinel', () => {
  let group: RedisSentinelGroup;
  let receiver: TestReceiver;
  let app: TestApp;
  let endpoint: { id: string; secret: string };
  const deliveredEventIds = () =>
    new Set(receiver.requestsTo('/sentinel').map((received) => verifyDelivery(received, endpoint.secret).id));

  beforeAll(async () => {
    [group, receiver] = await Promise.all([RedisSentinelGroup.start(), TestReceiver.start()]);
    app = await startTestApp({
      role: 'all',
      env: {
        // Only the sentinels say where Redis is: nothing listens on this URL's port.
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_SENTINELS: group.sentinels,
        REDIS_SENTINEL_NAME: RedisSentinelGroup.NAME,
        ACME_WEBHOOK_SECRET: ACME_SECRET,
      },
    });
    endpoint = await createEndpoint(app.url!, { url: receiver.url('/sentinel') });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await group?.destroy();
  });

  it('finds the primary through the sentinels, and the pipeline runs on it', async () => {
    const eventId = await sendAcmeUntilAcknowledged(app.url!, 'sentinel_first', 'sentinel.tested');
    await waitFor(() => deliveredEventIds().has(eventId), { what: 'the first delivery' });
    expect(await keysUnder(group.primaryPort, app.config.redis.prefix)).toBeGreaterThan(0);
  });

  it('follows a failover with webhooks flowing: every acknowledged webhook is delivered', async () => {
    // What the lost primary does to the clients is logged by the app's logger, not dumped raw on stderr.
    const consoleErrors = jest.spyOn(console, 'error');
    const { acknowledged, faultedAt: killedAt } = await sendThroughAFault(app.url!, {
      prefix: 'sentinel',
      type: 'sentinel.tested',
      count: 60,
      faultAfter: 20,
      fault: () => group.killPrimary(),
    });
    await waitFor(async () => (await group.currentPrimaryPort()) === group.replicaPort, {
      what: 'the sentinels to promote the replica',
      timeoutMs: 20_000,
    });
    await waitFor(() => acknowledged.every((eventId) => deliveredEventIds().has(eventId)), {
      what: 'every acknowledged webhook to be delivered',
      timeoutMs: 45_000,
    });
    expect(new Set(acknowledged).size).toBe(60);
    expect(consoleErrors).not.toHaveBeenCalled();
    consoleErrors.mockRestore();
    const lostPrimary = `127.0.0.1:${group.primaryPort}`;
    expect(app.logs.some((record) => record.level === 'warn' && String(record.message).includes(lostPrimary))).toBe(
      true,
    );
    // Nothing else listens now (REDIS_URL's port never did): the queues carried on on the promoted replica.
    const afterTheKill = receiver.requestsTo('/sentinel').filter((received) => received.receivedAt > killedAt);
    expect(afterTheKill.length).toBeGreaterThanOrEqual(39);
  }, 90_000);
});
