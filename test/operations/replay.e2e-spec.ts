import { PrismaService } from '../../src/common/database/prisma.service';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor, waitForQuiescence } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { someEvents } from './builders';

describe('replays and redrive', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    // Every replayed delivery goes to one endpoint here: it may use all the worker's slots (the cap per endpoint has
    // its own test in fairness.e2e-spec.ts).
    app = await startTestApp({
      role: 'all',
      env: {
        ACME_WEBHOOK_SECRET: ACME_SECRET,
        DELIVERY_CONCURRENCY: '50',
        ENDPOINT_CONCURRENCY: '50',
        REPLAY_BATCH_SIZE: '250',
      },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  const replayStatus = (id: string) =>
    adminApi(app.url!)
      .get(`/replays/${id}`)
      .expect(200)
      .then((response) => response.body);

  it('bulk-replays 5,000 events: the dry run counts the same, progress completes, each arrives again with its first webhook-id', async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/bulk'), filter: { eventTypes: ['bulk.*'] } });
    await someEvents(prisma, 'acme').ofType('bulk.replayed').deliveredSuccessfullyTo(endpoint.id).build(5_000);
    const firstWebhookIds = new Map(
      (await prisma.delivery.findMany({ where: { endpointId: endpoint.id } })).map((delivery) => [
        delivery.eventId,
        delivery.id,
      ]),
    );

    const dry = await adminApi(app.url!)
      .post('/replays', { reason: 'dry', filter: { type: 'bulk.*' }, dryRun: true })
      .expect(200);
    expect(dry.body).toMatchObject({ matched: 5_000, dryRun: true });
    expect(await prisma.replayRequest.count()).toBe(0);

    const started = await adminApi(app.url!)
      .post('/replays', { reason: 'receiver lost its data', filter: { type: 'bulk.*' } })
      .expect(202);
    expect(started.body).toEqual({ replayRequestId: expect.any(String), matched: dry.body.matched });
    const done = await waitFor(
      async () => {
        const replay = await replayStatus(started.body.replayRequestId);
        return replay.status === 'completed' ? replay : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 250, what: 'the bulk replay to complete' },
    );
    expect(done).toMatchObject({
      matched: 5_000,
      enqueued: 5_000,
      completed: 5_000,
      actor: 'bootstrap-admin',
      reason: 'receiver lost its data',
    });

    const received = receiver.requestsTo('/bulk');
    expect(received).toHaveLength(5_000);
    for (const request of received) {
      const envelope = verifyDelivery(request, endpoint.secret);
      expect(request.headers['webhook-id']).toBe(firstWebhookIds.get(envelope.id));
    }
  });

  it('cancel stops enqueueing between batches', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/cancel'),
      filter: { eventTypes: ['cancel.*'] },
    });
    await someEvents(prisma, 'acme')
      .ofType('cancel.me')
      .deliveredSuccessfullyTo(endpoint.id)
      .receivedFrom(new Date('2025-06-01T00:00:00Z'))
      .build(3_000);
    const started = await adminApi(app.url!)
      .post('/replays', { reason: 'oops', filter: { type: 'cancel.*' } })
      .expect(202);
    const cancelled = await adminApi(app.url!).post(`/replays/${started.body.replayRequestId}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    // Whatever batch was in hand when the cancel landed finishes; after that nothing more is enqueued.
    await waitForQuiescence(async () => (await replayStatus(started.body.replayRequestId)).enqueued, {
      stallMs: 1_500,
      timeoutMs: 20_000,
      what: 'enqueueing to stop',
    });
    const final = await replayStatus(started.body.replayRequestId);
    expect(final.status).toBe('cancelled');
    expect(final.enqueued).toBeLessThan(3_000);
    await adminApi(app.url!).post(`/replays/${started.body.replayRequestId}/cancel`).expect(409);
  });

  it('replays one event to one endpoint, and redrives dead letters once the receiver recovers', async () => {
    let healthy = false;
    receiver.respondWith((request) => (request.path === '/flaky' && !healthy ? { status: 400 } : { status: 200 }));
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/flaky'),
      filter: { eventTypes: ['redrive.*'] },
    });
    const eventIds = [await sendAcme(app.url!, 'rd_1', 'redrive.me'), await sendAcme(app.url!, 'rd_2', 'redrive.me')];
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'dead_lettered' } })) === 2,
      { what: 'two dead letters' },
    );
    const listed = await adminApi(app.url!).get(`/dead-letters?endpointId=${endpoint.id}`).expect(200);
    expect(listed.body.data).toHaveLength(2);
    expect(listed.body.data[0]).toMatchObject({
      endpointId: endpoint.id,
      reason: expect.stringContaining('400'),
      attemptCount: 1,
    });

    healthy = true;
    const redrive = await adminApi(app.url!)
      .post('/dead-letters/redrive', { reason: 'receiver fixed', filter: { endpointId: endpoint.id } })
      .expect(202);
    expect(redrive.body.matched).toBe(2);
    await waitFor(async () => (await replayStatus(redrive.body.replayRequestId)).status === 'completed', {
      what: 'the redrive to complete',
    });
    const deliveries = await prisma.delivery.findMany({
      where: { endpointId: endpoint.id },
      include: { attempts: true },
    });
    expect(deliveries.map((delivery) => delivery.status)).toEqual(['succeeded', 'succeeded']);
    expect(deliveries.every((delivery) => delivery.attempts.length === 2)).toBe(true);
    for (const eventId of eventIds) {
      await waitFor(
        async () => (await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).status === 'delivered',
        { what: 'events delivered' },
      );
    }

    const one = await adminApi(app.url!)
      .post(`/events/${eventIds[0]}/replay`, { reason: 'check', endpointId: endpoint.id })
      .expect(202);
    await waitFor(async () => (await replayStatus(one.body.replayRequestId)).status === 'completed', {
      what: 'single replay',
    });
    const detail = await adminApi(app.url!).get(`/events/${eventIds[0]}`).expect(200);
    expect(detail.body.replays.map((replay: { id: string }) => replay.id)).toContain(one.body.replayRequestId);
    expect(detail.body.deliveries[0].attempts).toHaveLength(3);
  });
});
