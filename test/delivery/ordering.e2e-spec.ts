import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { ENCRYPTION_KEY, spawnWorker } from '../controls/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { createEndpoint } from './support';

const PRODUCER_KEY = 'ordering-producer-key-0123456789';
const KEYS = 50;
const EVENTS_PER_KEY = 40;

/** What a receiver learns from one delivery: the message's key and position, and its webhook-id. */
function messageOf(received: ReceivedRequest): { key: string; n: number; webhookId: string } {
  const envelope = JSON.parse(received.body) as { data: { orderingKey: string; n: number } };
  return { key: envelope.data.orderingKey, n: envelope.data.n, webhookId: String(received.headers['webhook-id']) };
}

/**
 * Contract §7.5: a `fifo` endpoint gets the deliveries sharing an ordering key one at a time, in the order their
 * events were received; a retrying delivery holds back its own key only, and dead-lettering it lets the next go.
 * Two real worker processes share the deliveries.
 */
describe('FIFO ordering per key across two worker processes', () => {
  let api: TestApp;
  let prisma: PrismaService;
  let receiver: TestReceiver;
  const workers: HookgateProcess[] = [];

  const send = (message: object) =>
    request(api.url!)
      .post('/webhooks/orders')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${PRODUCER_KEY}`)
      .send(JSON.stringify(message))
      .expect(202)
      .then((response) => response.body.eventId as string);

  /** Sends each key's messages one after another (each after the last one's 202), the keys side by side. */
  const sendInOrder = (keys: string[], count: number, type: string) =>
    Promise.all(
      keys.map(async (key) => {
        for (let n = 0; n < count; n += 1) await send({ type, orderingKey: key, n });
      }),
    );

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    api = await startTestApp({ role: 'api', env: { SECRETS_ENCRYPTION_KEY: ENCRYPTION_KEY } });
    prisma = api.app.get(PrismaService);
    await adminApi(api.url!)
      .post('/integrations', { slug: 'orders', provider: 'generic', secret: PRODUCER_KEY })
      .expect(201);
    const env = { DELIVERY_RETRY_SCHEDULE: '50ms,100ms,200ms' };
    workers.push(spawnWorker(api, env), spawnWorker(api, env));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
    await api?.stop();
    await receiver?.close();
  });

  it(`${KEYS} keys × ${EVENTS_PER_KEY} events, a fifth of the answers failing: each key strictly in order, one at a time`, async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/fifo'),
      filter: { eventTypes: ['order.step'] },
      ordering: 'fifo',
      maxAttempts: 30,
    });
    expect(endpoint).toMatchObject({ ordering: 'fifo' });
    const inFlight = new Map<string, number>();
    let mostInFlightOfOneKey = 0;
    receiver.respondWith((received) => {
      if (received.path !== '/fifo') return { status: 200 };
      const { key } = messageOf(received);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      mostInFlightOfOneKey = Math.max(mostInFlightOfOneKey, inFlight.get(key)!);
      const delayMs = Math.floor(Math.random() * 4);
      // Counted out before the answer is written: the next delivery of the key can only start after it. The receiver
      // writes a 0 ms answer at once, and a worker holding the key's next job sends it within a millisecond or so,
      // before even a 0 ms timer would have counted this one out.
      const countOut = () => inFlight.set(key, inFlight.get(key)! - 1);
      if (delayMs === 0) countOut();
      else setTimeout(countOut, delayMs);
      return { status: Math.random() < 0.2 ? 503 : 200, delayMs };
    });

    const keys = Array.from({ length: KEYS }, (_, index) => `customer-${index}`);
    await sendInOrder(keys, EVENTS_PER_KEY, 'order.step');

    await waitFor(
      async () =>
        (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) ===
        KEYS * EVENTS_PER_KEY,
      { timeoutMs: 150_000, intervalMs: 500, what: 'every delivery to succeed' },
    );

    // What the receiver saw of each key: attempts of n repeat until one succeeds, and only then does n + 1 come.
    const seen = new Map<string, number[]>();
    for (const received of receiver.requestsTo('/fifo')) {
      const { key, n } = messageOf(received);
      seen.set(key, [...(seen.get(key) ?? []), n]);
    }
    for (const key of keys) {
      const positions = seen.get(key)!;
      const distinct = positions.filter((n, index) => index === 0 || positions[index - 1] !== n);
      expect({ key, distinct }).toEqual({ key, distinct: Array.from({ length: EVENTS_PER_KEY }, (_, n) => n) });
    }
    expect(mostInFlightOfOneKey).toBe(1);
    // The failures were real: the retries crossed the two workers.
    expect(receiver.requestsTo('/fifo').length).toBeGreaterThan(KEYS * EVENTS_PER_KEY * 1.1);
  }, 200_000);

  it("a retrying delivery holds back its key only; once it succeeds, its key's next ones follow in order", async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/held'),
      filter: { eventTypes: ['held.step'] },
      ordering: 'fifo',
      maxAttempts: 50,
    });
    let blockedKeyFails = true;
    receiver.respondWith((received) => {
      if (received.path !== '/held') return { status: 200 };
      const { key, n } = messageOf(received);
      return { status: key === 'blocked' && n === 0 && blockedKeyFails ? 503 : 200 };
    });
    await sendInOrder(['blocked', 'free'], 10, 'held.step');

    await waitFor(
      () => receiver.requestsTo('/held').filter((received) => messageOf(received).key === 'free').length === 10,
      { timeoutMs: 20_000, what: 'the other key to be delivered while the first one retries' },
    );
    const blocked = () => receiver.requestsTo('/held').filter((received) => messageOf(received).key === 'blocked');
    await waitFor(() => blocked().length >= 3, { timeoutMs: 10_000, what: 'the first message to be retried' });
    expect(new Set(blocked().map((received) => messageOf(received).n))).toEqual(new Set([0]));
    // The ingress queued a job for the first message of each key only: the others wait without one.
    const waiting = await prisma.delivery.findMany({
      where: { endpointId: endpoint.id, status: 'pending', attemptCount: 0 },
    });
    expect(waiting).toHaveLength(9);
    const queue = api.app.get(JobQueue).queue(QueueName.Delivery);
    const jobs = await Promise.all(waiting.map((delivery) => queue.getJob(`${delivery.id}-initial`)));
    expect(jobs.filter(Boolean)).toEqual([]);

    blockedKeyFails = false;
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === 20,
      { timeoutMs: 20_000, what: "the held key's messages to follow" },
    );
    const order = blocked()
      .map((received) => messageOf(received).n)
      .filter((n, index, all) => index === 0 || all[index - 1] !== n);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const received of blocked()) new Webhook(endpoint.secret).verify(received.body, received.headers as never);
  }, 60_000);

  it('ordering changed to none applies to new deliveries: those made while fifo keep their order', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/switch'),
      filter: { eventTypes: ['switch.step'] },
      ordering: 'fifo',
      maxAttempts: 50,
    });
    let firstFails = true;
    receiver.respondWith((received) => ({ status: messageOf(received).n === 0 && firstFails ? 503 : 200 }));
    for (let n = 0; n < 3; n += 1) await send({ type: 'switch.step', orderingKey: 'x', n });
    const seen = () => receiver.requestsTo('/switch').map((received) => messageOf(received).n);
    await waitFor(() => seen().length >= 2, { timeoutMs: 10_000, what: 'the first message to be retried' });

    await adminApi(api.url!).patch(`/endpoints/${endpoint.id}`, { ordering: 'none' }).expect(200);
    await send({ type: 'switch.step', orderingKey: 'x', n: 3 });
    await waitFor(() => seen().includes(3), { timeoutMs: 10_000, what: 'the message sent after the change' });
    expect(seen().filter((n) => n === 1 || n === 2)).toEqual([]);

    firstFails = false;
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === 4,
      { timeoutMs: 20_000, what: 'the messages made while fifo to follow the first' },
    );
    expect(seen().filter((n) => n !== 3 && n !== 0)).toEqual([1, 2]);
    expect(seen().lastIndexOf(0)).toBeLessThan(seen().indexOf(1));
  }, 40_000);

  it('a dead-lettered delivery lets the next one of its key go', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/dead'),
      filter: { eventTypes: ['dead.step'] },
      ordering: 'fifo',
      maxAttempts: 2,
    });
    receiver.respondWith((received) => ({ status: messageOf(received).n === 1 ? 500 : 200 }));
    const eventIds: string[] = [];
    for (let n = 0; n < 4; n += 1) eventIds.push(await send({ type: 'dead.step', orderingKey: 'k', n }));

    await waitFor(
      async () =>
        (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === 3 &&
        (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'dead_lettered' } })) === 1,
      { timeoutMs: 20_000, what: 'three deliveries and one dead letter' },
    );
    expect(receiver.requestsTo('/dead').map((received) => messageOf(received).n)).toEqual([0, 1, 1, 2, 3]);
    const event = (await adminApi(api.url!).get(`/events/${eventIds[2]}`).expect(200)).body;
    expect(event.orderingKey).toBe('k');
  }, 40_000);
});
