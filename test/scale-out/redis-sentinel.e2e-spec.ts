import { Redis } from 'ioredis';
import { ACME_SECRET, createEndpoint, postAcme, verifyDelivery } from '../delivery/support';
import { TestReceiver } from '../support/receiver';
import { RedisSentinelGroup } from '../support/redis-sentinel';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** How many keys of the app's prefix a Redis server holds. */
async function keysUnder(port: number, prefix: string): Promise<number> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return (await client.keys(`${prefix}:*`)).length;
  } finally {
    client.disconnect();
  }
}

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

  /** Sends like a provider does: again after a moment until answered 2xx; returns the event id. */
  const sendUntilAcknowledged = async (id: string): Promise<string> => {
    return waitFor(
      async () => {
        const response = await postAcme(app.url!, JSON.stringify({ id, type: 'sentinel.tested' }));
        return response.status === 202 ? (response.body.eventId as string) : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: `webhook ${id} to be acknowledged` },
    );
  };

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
    const eventId = await sendUntilAcknowledged('sentinel_first');
    await waitFor(() => deliveredEventIds().has(eventId), { what: 'the first delivery' });
    expect(await keysUnder(group.primaryPort, app.config.redis.prefix)).toBeGreaterThan(0);
  });

  it('follows a failover with webhooks flowing: every acknowledged webhook is delivered', async () => {
    // What the lost primary does to the clients is logged by the app's logger, not dumped raw on stderr.
    const consoleErrors = jest.spyOn(console, 'error');
    const sends: Promise<string>[] = [];
    let killedAt = Infinity;
    for (let i = 0; i < 60; i += 1) {
      sends.push(sendUntilAcknowledged(`sentinel_${i}`));
      if (i === 20) {
        await group.killPrimary();
        killedAt = Date.now();
      }
      // A provider's steady trickle, about 20 webhooks a second.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const acknowledged = await Promise.all(sends);
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
