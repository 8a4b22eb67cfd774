import { Redis } from 'ioredis';
import request from 'supertest';
import { startControlsCluster, stopControlsCluster } from '../controls/support';
import { HookgateProcess, waitUntilReady } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const PRODUCER_KEY = 'fairness-producer-key-0123456789';
const SLOW_MS = 2_000;

/**
 * Contract §7.1, fairness between applications, on one real worker process at the defaults (20 delivery slots, 10
 * per endpoint): application `busy` has three endpoints that answer in 2 s, so its endpoints' caps alone would let it
 * take every slot, and a backlog of 600 deliveries; application `quiet` then sends a webhook now and then.
 */
describe('fair delivery between applications', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;

  beforeAll(async () => {
    const healthPort = await freePort();
    ({ api, worker, receiver } = await startControlsCluster({ workerEnv: { WORKER_HEALTH_PORT: String(healthPort) } }));
    await waitUntilReady(healthPort);
    const admin = adminApi(api.url!);
    for (const uid of ['busy', 'quiet']) {
      await admin.post('/applications', { uid, name: uid }).expect(201);
      await admin
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: PRODUCER_KEY })
        .expect(201);
    }
    for (const path of ['/busy-1', '/busy-2', '/busy-3'])
      await admin.post('/endpoints', { application: 'busy', url: receiver.url(path), maxAttempts: 1 }).expect(201);
    await admin.post('/endpoints', { application: 'quiet', url: receiver.url('/quiet') }).expect(201);
    receiver.respondWith((received) =>
      received.path.startsWith('/busy') ? { status: 200, delayMs: SLOW_MS } : { status: 200 },
    );
  });

  afterAll(async () => {
    await stopControlsCluster({ api, worker, receiver });
  });

  const send = (application: string, body: object) =>
    request(api.url!)
      .post(`/webhooks/${application}/producer`)
      .set('authorization', `Bearer ${PRODUCER_KEY}`)
      .send(body)
      .expect(202)
      .then((response) => response.body.eventId as string);

  const busyArrivals = () => receiver.requests.filter((received) => received.path.startsWith('/busy')).length;

  it("serves the quiet application's webhooks within 2 s while the busy one's backlog could fill every slot", async () => {
    for (let chunk = 0; chunk < 10; chunk += 1)
      await Promise.all(Array.from({ length: 20 }, (_, i) => send('busy', { type: 'busy.work', n: chunk * 20 + i })));
    // Every slot of the worker is taken by the busy application's 2 s attempts.
    await waitFor(() => busyArrivals() >= 20, { what: 'the busy backlog to be in flight', timeoutMs: 15_000 });
    // As if the backlog had been queued longer ago than the window: the worker working on it must say it still is.
    const busyId = (await adminApi(api.url!).get('/applications/busy').expect(200)).body.id as string;
    const redis = new Redis(process.env.REDIS_URL!);
    await redis.zrem(`${api.config.redis.prefix}:application-backlogs`, busyId).finally(() => redis.disconnect());

    // The first webhook of an application that had no work waits at most for one of the busy attempts to end: the
    // busy application's share shrinks to half the slots as its attempts in hand finish.
    const first = await send('quiet', { type: 'quiet.first' });
    await waitFor(() => receiver.requestsTo('/quiet').length === 1, {
      what: `the quiet application's first delivery (${first})`,
      timeoutMs: SLOW_MS + 3_000,
    });

    const sentAt = new Map<string, number>();
    for (let i = 0; i < 10; i += 1) {
      const started = Date.now();
      sentAt.set(await send('quiet', { type: 'quiet.work', n: i }), started);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await waitFor(() => receiver.requestsTo('/quiet').length === 11, {
      what: "the quiet application's deliveries",
      timeoutMs: 15_000,
    });
    const delays = receiver
      .requestsTo('/quiet')
      .slice(1)
      .map((received) => received.receivedAt - sentAt.get(JSON.parse(received.body).id as string)!)
      .sort((a, b) => a - b);
    expect(delays[Math.ceil(delays.length * 0.95) - 1]).toBeLessThanOrEqual(2_000);
    // The busy application was still well behind: 600 deliveries at 2 s each take a minute on 20 slots.
    expect(busyArrivals()).toBeLessThan(400);
  }, 60_000);
});
