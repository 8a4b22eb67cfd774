import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery } from './support';

describe('delivery: signed POSTs, retries, dead letters', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({
      role: 'all',
      env: { ACME_WEBHOOK_SECRET: ACME_SECRET, DELIVERY_RETRY_SCHEDULE: '100ms,300ms,600ms' },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  const deliveryOf = (eventId: string, endpointId: string) =>
    prisma.delivery.findUniqueOrThrow({
      where: { eventId_endpointId: { eventId, endpointId } },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
  const settled = (eventId: string, endpointId: string) =>
    waitFor(
      async () => {
        const delivery = await deliveryOf(eventId, endpointId);
        return delivery.status === 'succeeded' || delivery.status === 'dead_lettered' ? delivery : undefined;
      },
      { timeoutMs: 20_000, what: 'the delivery to settle' },
    );

  it('delivers the canonical envelope signed with Standard Webhooks; 500, 500, 200 takes three attempts with growing gaps and one webhook-id', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/flaky'),
      filter: { eventTypes: ['order.*'] },
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    receiver.respondWith((_request, index) => ({ status: index < 2 ? 500 : 200 }));
    const eventId = await sendAcme(app.url!, 'flaky_1', 'order.created', { data: { total: 5 } });

    const delivery = await settled(eventId, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts.map((attempt) => [attempt.number, attempt.responseStatus, attempt.outcome])).toEqual([
      [1, 500, 'retryable'],
      [2, 500, 'retryable'],
      [3, 200, 'succeeded'],
    ]);
    const received = receiver.requestsTo('/flaky');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    for (const request of received) {
      const envelope = verifyDelivery(request, endpoint.secret);
      expect(envelope).toMatchObject({
        id: eventId,
        type: 'order.created',
        integration: 'acme',
        provider: 'acme',
        externalId: 'flaky_1',
        data: { id: 'flaky_1', data: { total: 5 } },
      });
      expect(request.headers['user-agent']).toMatch(/^Hookgate\//);
      // Timestamps as Date.prototype.toISOString writes them (PostgreSQL builds the envelope).
      expect(envelope.receivedAt).toBe(new Date(envelope.receivedAt).toISOString());
    }
    const gaps = [received[1].receivedAt - received[0].receivedAt, received[2].receivedAt - received[1].receivedAt];
    // The schedule's second entry, not the first repeated: 300 ms less 20 % jitter. Only lower bounds: a loaded
    // machine makes each gap longer than scheduled, by amounts that need not keep the gaps' order.
    expect(gaps[0]).toBeGreaterThanOrEqual(80);
    expect(gaps[1]).toBeGreaterThanOrEqual(240);
    expect(delivery.attempts[0].requestHeaders).toMatchObject({
      'webhook-signature': '[redacted]',
      'webhook-id': delivery.id,
    });
    await waitFor(
      async () => (await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).status === 'delivered',
      { what: 'event delivered' },
    );
  });

  it('gives every row the hot paths write a time-ordered id (UUIDv7): each index takes it at its right edge', async () => {
    receiver.respondWith(() => ({ status: 200 }));
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/ordered'),
      filter: { eventTypes: ['ordered.*'] },
    });
    const first = await sendAcme(app.url!, 'ordered_1', 'ordered.created');
    const firstDelivery = await settled(first, endpoint.id);
    const second = await sendAcme(app.url!, 'ordered_2', 'ordered.created');
    const secondDelivery = await settled(second, endpoint.id);

    const events = await prisma.event.findMany({
      where: { id: { in: [first, second] } },
      orderBy: { receivedAt: 'asc' },
    });
    const audit = await prisma.auditEntry.findMany({ where: { eventId: { in: [first, second] } } });
    const ids = {
      events: [first, second],
      rawRequests: events.map((event) => event.rawWebhookId!),
      deliveries: [firstDelivery.id, secondDelivery.id],
      attempts: [firstDelivery.attempts[0].id, secondDelivery.attempts[0].id],
    };
    const version = (id: string) => id[14];
    for (const [what, [earlier, later]] of Object.entries(ids)) {
      expect({ what, versions: [version(earlier), version(later)] }).toEqual({ what, versions: ['7', '7'] });
      expect({ what, laterSortsAfter: later > earlier }).toEqual({ what, laterSortsAfter: true });
    }
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.map((entry) => version(entry.id))).toEqual(audit.map(() => '7'));
    // Rows Prisma creates (the management side) get them too: @default(uuid(7)).
    expect(version(endpoint.id)).toBe('7');
  });

  it("records a receiver's answer whatever bytes it holds: a NUL byte is kept as U+FFFD", async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/nul'), filter: { eventTypes: ['nul.*'] } });
    receiver.respondWith((request) =>
      request.path === '/nul' ? { status: 200, body: 'ok\u0000done' } : { status: 200 },
    );
    const eventId = await sendAcme(app.url!, 'nul_1', 'nul.answer');
    const delivery = await settled(eventId, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts.map((attempt) => [attempt.responseStatus, attempt.responseBody])).toEqual([
      [200, 'ok\ufffddone'],
    ]);
  });

  it('a replay of a delivery in flight never runs it twice at once: it joins the run in hand (contract §6.3)', async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/held'), filter: { eventTypes: ['held.*'] } });
    receiver.respondWith((request) => (request.path === '/held' ? { status: 200, delayMs: 1_500 } : { status: 200 }));
    const eventId = await sendAcme(app.url!, 'held_1', 'held.now');
    await waitFor(() => receiver.requestsTo('/held').length === 1, { what: 'the first attempt in flight' });

    const replay = await adminApi(app.url!)
      .post(`/events/${eventId}/replay`, { reason: 'while in flight' })
      .expect(202);
    const done = await waitFor(
      async () => {
        const body = (await adminApi(app.url!).get(`/replays/${replay.body.replayRequestId}`).expect(200)).body;
        return body.status === 'completed' ? body : undefined;
      },
      { timeoutMs: 20_000, what: 'the replay to complete' },
    );
    expect(done).toMatchObject({ enqueued: 1, completed: 1 });
    const delivery = await settled(eventId, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts).toHaveLength(1);
    expect(receiver.requestsTo('/held')).toHaveLength(1);
  });

  it('treats 400 as final after one attempt: dead_lettered, with a job in the dead-letter queue', async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/bad'), filter: { eventTypes: ['bad.*'] } });
    receiver.respondWith(() => ({ status: 400, body: 'nope' }));
    const eventId = await sendAcme(app.url!, 'bad_1', 'bad.request');
    const delivery = await settled(eventId, endpoint.id);
    expect(delivery).toMatchObject({ status: 'dead_lettered', attemptCount: 1 });
    expect(delivery.deadLetterReason).toContain('400');
    expect(delivery.attempts[0]).toMatchObject({ responseStatus: 400, outcome: 'final', responseBody: 'nope' });
    // Parked in the dead-letter queue just after the status is recorded (the record is the commit point).
    const parked = await waitFor(() => app.app.get(JobQueue).queue(QueueName.DeadLetter).getJob(`dl-${delivery.id}`), {
      what: 'the dead letter to be parked',
    });
    expect(parked.data).toMatchObject({ deliveryId: delivery.id });
    await waitFor(async () => (await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).status === 'failed', {
      what: 'event failed',
    });
  });

  it('410 ends the delivery and disables the endpoint (audited)', async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/gone'), filter: { eventTypes: ['gone.*'] } });
    receiver.respondWith(() => ({ status: 410 }));
    const eventId = await sendAcme(app.url!, 'gone_1', 'gone.away');
    expect((await settled(eventId, endpoint.id)).status).toBe('dead_lettered');
    const stored = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(stored).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    expect(await prisma.auditEntry.count({ where: { action: 'endpoint.disabled', subjectId: endpoint.id } })).toBe(1);
  });

  it('honours Retry-After on 429, clamped to twice the scheduled delay', async () => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/busy'), filter: { eventTypes: ['busy.*'] } });
    receiver.respondWith((request, index) =>
      request.path === '/busy' && index === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 200 },
    );
    const eventId = await sendAcme(app.url!, 'busy_1', 'busy.now');
    const delivery = await settled(eventId, endpoint.id);
    expect(delivery.attempts.map((attempt) => attempt.responseStatus)).toEqual([429, 200]);
    const [first, second] = receiver.requestsTo('/busy');
    // Scheduled 100 ms → at most 200 ms, not an hour.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(150);
    expect(second.receivedAt - first.receivedAt).toBeLessThan(3_000);
  });

  it('retries a timeout, and dead-letters once maxAttempts are used up', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/slow'),
      filter: { eventTypes: ['slow.*'] },
      timeoutMs: 200,
      maxAttempts: 2,
    });
    receiver.respondWith(() => ({ status: 200, delayMs: 1_000 }));
    const eventId = await sendAcme(app.url!, 'slow_1', 'slow.thing');
    const delivery = await settled(eventId, endpoint.id);
    expect(delivery).toMatchObject({ status: 'dead_lettered', attemptCount: 2 });
    expect(delivery.attempts.map((attempt) => attempt.errorClass)).toEqual(['TimeoutError', 'TimeoutError']);
    expect(delivery.deadLetterReason).toMatch(/retries exhausted after 2 attempts/);
  });

  it('ends an attempt at the endpoint timeout even while the answer keeps trickling in', async () => {
    // Headers at once, then a byte every 50 ms, never the end: neither the wait for headers nor the wait between two
    // chunks runs out; only the attempt's own deadline does.
    const trickle = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), 50);
      response.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = trickle.address() as AddressInfo;
      const endpoint = await createEndpoint(app.url!, {
        url: `http://127.0.0.1:${port}/trickle`,
        filter: { eventTypes: ['trickle.*'] },
        timeoutMs: 300,
        maxAttempts: 1,
      });
      const eventId = await sendAcme(app.url!, 'trickle_1', 'trickle.thing');
      const delivery = await settled(eventId, endpoint.id);
      expect(delivery.status).toBe('dead_lettered');
      expect(delivery.attempts).toHaveLength(1);
      expect(delivery.attempts[0]).toMatchObject({ errorClass: 'TimeoutError', error: 'timed out after 300 ms' });
      expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(280);
      expect(delivery.attempts[0].durationMs).toBeLessThan(2_000);
    } finally {
      trickle.closeAllConnections();
      await new Promise((resolve) => trickle.close(resolve));
    }
  });

  it('fans out by filter: integration and type wildcards, disabled endpoints get nothing, no match → no_subscribers', async () => {
    receiver.respondWith(() => ({ status: 204 }));
    const wildcard = await createEndpoint(app.url!, {
      url: receiver.url('/fan-a'),
      filter: { integrations: ['acme'], eventTypes: ['fan.*'] },
    });
    const exact = await createEndpoint(app.url!, {
      url: receiver.url('/fan-b'),
      filter: { eventTypes: ['fan.exact'] },
    });
    const otherIntegration = await createEndpoint(app.url!, {
      url: receiver.url('/fan-c'),
      filter: { integrations: ['stripe'] },
    });
    const disabled = await createEndpoint(app.url!, {
      url: receiver.url('/fan-d'),
      filter: { eventTypes: ['fan.*'] },
      enabled: false,
    });
    const eventId = await sendAcme(app.url!, 'fan_1', 'fan.exact');
    await settled(eventId, wildcard.id);
    await settled(eventId, exact.id);
    const endpointIds = (await prisma.delivery.findMany({ where: { eventId } })).map((delivery) => delivery.endpointId);
    expect(endpointIds.sort()).toEqual([wildcard.id, exact.id].sort());
    expect(endpointIds).not.toContain(otherIntegration.id);
    expect(endpointIds).not.toContain(disabled.id);

    const lonely = await sendAcme(app.url!, 'lonely_1', 'nobody.cares');
    await waitFor(
      async () => (await prisma.event.findUniqueOrThrow({ where: { id: lonely } })).status === 'no_subscribers',
      { what: 'no_subscribers' },
    );
  });
});
