import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { someEvents } from '../operations/builders';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, verifyDelivery } from './support';

/** Contract §6.1 STUCK_EVENT_AFTER: whatever lost an accepted event's job, the worker hands it over again. */
describe('nothing acknowledged is stranded', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({
      role: 'all',
      env: { ACME_WEBHOOK_SECRET: ACME_SECRET, STUCK_EVENT_AFTER: '1s', OUTBOX_RELAY_INTERVAL_MS: '300' },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('events queued whose jobs Redis lost are fanned out and delivered after STUCK_EVENT_AFTER', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/stuck'),
      filter: { eventTypes: ['stuck.*'] },
    });
    // Accepted and marked queued, but no job exists any more (as after a Redis that lost its data).
    const ids = await someEvents(prisma, 'acme')
      .ofType('stuck.event')
      .inStatus('queued')
      .receivedFrom(new Date(Date.now() - 60_000))
      .build(5);
    await prisma.$executeRaw`UPDATE events SET updated_at = now() - interval '1 minute' WHERE id = ANY(${ids}::uuid[])`;

    await waitFor(async () => (await prisma.event.count({ where: { id: { in: ids }, status: 'delivered' } })) === 5, {
      timeoutMs: 20_000,
      what: 'the stuck events delivered',
    });
    const received = receiver.requestsTo('/stuck').map((request) => verifyDelivery(request, endpoint.secret).id);
    expect(new Set(received)).toEqual(new Set(ids));
  });

  it('an open delivery whose job is gone is handed over again, keeping its webhook-id', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/orphan'),
      filter: { eventTypes: ['orphan.*'] },
    });
    const [eventId] = await someEvents(prisma, 'acme').ofType('orphan.event').inStatus('processing').build(1);
    const [delivery] = await prisma.$queryRaw<{ id: string }[]>`
      WITH d AS (INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
                 VALUES (gen_random_uuid(), ${eventId}::uuid, ${endpoint.id}::uuid, 'pending', 0, now(), now() - interval '1 minute') RETURNING id)
      SELECT id::text FROM d`;
    await prisma.$executeRaw`UPDATE events SET deliveries_open = 1 WHERE id = ${eventId}::uuid`;

    await waitFor(
      async () => (await prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).status === 'succeeded',
      { timeoutMs: 20_000, what: 'the orphaned delivery' },
    );
    expect(receiver.requestsTo('/orphan').map((request) => request.headers['webhook-id'])).toEqual([delivery.id]);
    expect((await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).status).toBe('delivered');
  });

  it('a delivery left claimed by a job that failed for good (or is gone) is taken over at once, not when the claim expires', async () => {
    // Found by `npm run chaos` (PostgreSQL down longer than the retries): the job claimed the delivery, could not
    // record its attempt, used up its retries, and left a claim valid for minutes that held off every new job.
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/dead-claim'),
      filter: { eventTypes: ['deadclaim.*'] },
    });
    const deliveries = app.app.get(JobQueue).queue(QueueName.Delivery);
    const doomed = await deliveries.add(
      'deliver',
      { deliveryId: '00000000-0000-4000-8000-000000000000', endpointId: endpoint.id },
      { attempts: 1 },
    );
    await waitFor(async () => (await doomed.getState()) === 'failed', { what: 'the claiming job to fail for good' });
    const eventIds = await someEvents(prisma, 'acme').ofType('deadclaim.event').inStatus('processing').build(2);
    const claimers = [doomed.id!, 'deliver-job-that-redis-no-longer-has'];
    const ids = await Promise.all(
      eventIds.map(async (eventId, index) => {
        const [row] = await prisma.$queryRaw<{ id: string }[]>`
        WITH d AS (INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, claimed_by, claim_expires_at, created_at, updated_at)
                   VALUES (gen_random_uuid(), ${eventId}::uuid, ${endpoint.id}::uuid, 'in_flight', 0, ${claimers[index]},
                           now() + interval '5 minutes', now(), now() - interval '1 minute') RETURNING id)
        SELECT id::text FROM d`;
        await prisma.$executeRaw`UPDATE events SET deliveries_open = 1 WHERE id = ${eventId}::uuid`;
        return row.id;
      }),
    );

    await waitFor(
      async () => (await prisma.delivery.count({ where: { id: { in: ids }, status: 'succeeded' } })) === 2,
      { timeoutMs: 15_000, what: 'both deliveries taken over' },
    );
    expect(new Set(receiver.requestsTo('/dead-claim').map((request) => request.headers['webhook-id']))).toEqual(
      new Set(ids),
    );
    const attempts = await prisma.deliveryAttempt.findMany({ where: { deliveryId: { in: ids } } });
    expect(attempts.map((attempt) => attempt.number)).toEqual([1, 1]);
  });

  it('a delivery claimed by a job still running is left to it', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/live-claim'),
      filter: { eventTypes: ['liveclaim.*'] },
      timeoutMs: 20_000,
    });
    receiver.respondWith((request) =>
      request.path === '/live-claim' ? { status: 200, delayMs: 3_000 } : { status: 200 },
    );
    const [eventId] = await someEvents(prisma, 'acme').ofType('liveclaim.event').inStatus('processing').build(1);
    const [delivery] = await prisma.$queryRaw<{ id: string }[]>`
      WITH d AS (INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
                 VALUES (gen_random_uuid(), ${eventId}::uuid, ${endpoint.id}::uuid, 'pending', 0, now(), now()) RETURNING id)
      SELECT id::text FROM d`;
    await prisma.$executeRaw`UPDATE events SET deliveries_open = 1 WHERE id = ${eventId}::uuid`;
    await app.app
      .get(JobQueue)
      .queue(QueueName.Delivery)
      .add('deliver', { deliveryId: delivery.id, endpointId: endpoint.id }, { jobId: `live-${delivery.id}` });
    await waitFor(() => receiver.requestsTo('/live-claim').length === 1, { what: 'the slow attempt to start' });
    // Its claim looks stale to the sweep (nothing moved for STUCK_EVENT_AFTER), but its job is active: no takeover.
    await prisma.$executeRaw`UPDATE deliveries SET updated_at = now() - interval '1 minute' WHERE id = ${delivery.id}::uuid`;

    await waitFor(
      async () => (await prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).status === 'succeeded',
      { timeoutMs: 15_000, what: 'the slow delivery' },
    );
    expect(receiver.requestsTo('/live-claim')).toHaveLength(1);
    receiver.respondWith(() => ({ status: 200 }));
  });

  it('a dead letter whose parking failed (Redis) is parked in the dead-letter queue by the sweep', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/unparked'),
      filter: { eventTypes: ['unparked.*'] },
    });
    const [eventId] = await someEvents(prisma, 'acme').ofType('unparked.event').inStatus('failed').build(1);
    const [delivery] = await prisma.$queryRaw<{ id: string }[]>`
      WITH d AS (INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, dead_letter_reason, dead_lettered_at, created_at, updated_at)
                 VALUES (gen_random_uuid(), ${eventId}::uuid, ${endpoint.id}::uuid, 'dead_lettered', 1, 'final answer: 400', now() - interval '1 minute', now(), now())
                 RETURNING id)
      SELECT id::text FROM d`;

    const parked = await waitFor(() => app.app.get(JobQueue).queue(QueueName.DeadLetter).getJob(`dl-${delivery.id}`), {
      timeoutMs: 10_000,
      what: 'the parked job',
    });
    expect(parked.data).toEqual({ deliveryId: delivery.id, reason: 'final answer: 400' });
    await waitFor(
      async () => (await prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).deadLetterParkedAt !== null,
      { what: 'parking recorded' },
    );
  });
});
