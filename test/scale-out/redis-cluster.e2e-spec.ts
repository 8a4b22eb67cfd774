import { QueueName } from '../../src/queue/queue-names';
import {
  ACME_SECRET,
  createEndpoint,
  sendAcmeUntilAcknowledged,
  sendThroughAFault,
  verifyDelivery,
} from '../delivery/support';
import { TestReceiver } from '../support/receiver';
import { RedisClusterGroup } from '../support/redis-cluster';
import { askRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** The keys of `prefix` one node holds. */
const keysOn = async (port: number, prefix: string) => (await askRedis(port, 'KEYS', `${prefix}:*`)) as string[];

/** The hash tag Redis Cluster slots a key by: the first `{…}` with something in it. */
const hashTagOf = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];

/**
 * REDIS_CLUSTER_NODES (issue 28): every Redis client of the process (the app's own, BullMQ's queues and workers) is a
 * cluster client of a real three-primary Redis Cluster; each queue's keys share a hash tag of their own, so queues
 * spread over the primaries; a primary SIGKILLed with webhooks flowing loses nothing acknowledged.
 */
describe('Redis Cluster', () => {
  let cluster: RedisClusterGroup;
  let receiver: TestReceiver;
  let app: TestApp;
  let endpoint: { id: string; secret: string };
  const deliveredEventIds = () =>
    new Set(receiver.requestsTo('/cluster').map((received) => verifyDelivery(received, endpoint.secret).id));

  beforeAll(async () => {
    [cluster, receiver] = await Promise.all([RedisClusterGroup.start(), TestReceiver.start()]);
    app = await startTestApp({
      role: 'all',
      env: {
        // Only the cluster nodes say where Redis is: nothing listens on this URL's port.
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CLUSTER_NODES: cluster.startupNodes,
        ACME_WEBHOOK_SECRET: ACME_SECRET,
        // A job the lost primary had not yet passed to its replica comes back through the sweep: soon, in a test.
        STUCK_EVENT_AFTER: '8s',
      },
    });
    endpoint = await createEndpoint(app.url!, { url: receiver.url('/cluster') });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await cluster?.destroy();
  });

  it('runs the pipeline through the cluster, each queue in a slot of its own, the queues over several primaries', async () => {
    const eventId = await sendAcmeUntilAcknowledged(app.url!, 'cluster_first', 'cluster.tested');
    await waitFor(() => deliveredEventIds().has(eventId), { what: 'the first delivery' });

    const prefix = app.config.redis.prefix;
    const byPrimary = new Map<number, string[]>();
    for (const port of await cluster.primaries()) byPrimary.set(port, await keysOn(port, prefix));
    const all = [...byPrimary.values()].flat();
    // BullMQ's keys of the delivery queue and the endpoint gate's (the Lua scripts' keys) are there, each tagged.
    expect(all.some((key) => key.startsWith(`${prefix}:{delivery}:delivery:`))).toBe(true);
    expect(all.some((key) => key.startsWith(`${prefix}:{endpoint}:`))).toBe(true);
    // No queue's and no gate's key is left untagged (the keys used one at a time need none).
    for (const group of [...Object.values(QueueName), 'endpoint'])
      expect(all.filter((key) => key.startsWith(`${prefix}:${group}:`))).toEqual([]);
    for (const key of all.filter((candidate) => /:\{(?!endpoint)/.test(candidate)))
      expect(Object.values(QueueName)).toContain(hashTagOf(key));
    // Every key sits on the primary of its tag's slot, and the queues' tags are on more than one primary.
    for (const [port, keys] of byPrimary)
      for (const key of keys) expect({ key, port }).toEqual({ key, port: await cluster.primaryOf(key) });
    const queuePrimaries = new Set(
      [...byPrimary]
        .filter(([, keys]) => keys.some((key) => /:\{(processing|delivery|maintenance|retention)\}:/.test(key)))
        .map(([port]) => port),
    );
    expect(queuePrimaries.size).toBeGreaterThan(1);
  });

  it('loses nothing acknowledged when the delivery queue’s primary is SIGKILLed with webhooks flowing', async () => {
    const consoleErrors = jest.spyOn(console, 'error');
    const lost = await cluster.primaryOf('{delivery}');
    const { acknowledged, faultedAt: killedAt } = await sendThroughAFault(app.url!, {
      prefix: 'cluster',
      type: 'cluster.tested',
      count: 60,
      faultAfter: 20,
      fault: () => cluster.kill(lost),
    });
    await waitFor(async () => (await cluster.primaryOf('{delivery}')) !== lost && (await cluster.isHealthy()), {
      what: 'the replica to take over the delivery queue’s slot',
      timeoutMs: 20_000,
    });
    await waitFor(() => acknowledged.every((eventId) => deliveredEventIds().has(eventId)), {
      what: 'every acknowledged webhook to be delivered',
      timeoutMs: 45_000,
    });
    expect(new Set(acknowledged).size).toBe(60);
    expect(consoleErrors).not.toHaveBeenCalled();
    consoleErrors.mockRestore();
    const afterTheKill = receiver.requestsTo('/cluster').filter((received) => received.receivedAt > killedAt);
    expect(afterTheKill.length).toBeGreaterThanOrEqual(39);
    // The promoted replica now holds the delivery queue.
    expect(String(await askRedis(await cluster.primaryOf('{delivery}'), 'ROLE'))).toMatch(/^master/);
  }, 90_000);
});
