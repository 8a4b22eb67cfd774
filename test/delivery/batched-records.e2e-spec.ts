import { PrismaService } from '../../src/common/database/prisma.service';
import { HotPathPool } from '../../src/common/database/pg-pool';
import { AttemptResult } from '../../src/delivery/delivery-sender';
import { ClaimedDelivery, DeliveryRepository } from '../../src/delivery/delivery.repository';
import { startTestApp, TestApp } from '../support/test-app';
import { ACME_SECRET, createEndpoint, postAcme } from './support';

const result = (status: number): AttemptResult => ({
  outcome: status < 300 ? 'succeeded' : 'final',
  requestHeaders: { 'content-type': 'application/json' },
  responseStatus: status,
  responseHeaders: { 'x-seen': 'yes' },
  responseBody: status < 300 ? 'ok' : 'no "thanks"',
  error: status < 300 ? null : `HTTP ${status}`,
  errorClass: null,
  durationMs: 7,
});

/**
 * The worker claims and records the attempts of concurrent jobs in one statement each: the deliveries of one event
 * finishing together still roll the event up once per delivery, with one attempt row and one audit entry each.
 */
describe('batched claims and records', () => {
  let app: TestApp;
  let prisma: PrismaService;
  let repository: DeliveryRepository;
  const statements: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    prisma = app.app.get(PrismaService);
    repository = app.app.get(DeliveryRepository);
    const pool = app.app.get(HotPathPool);
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    jest.spyOn(pool, 'query').mockImplementation(((config: { name?: string }, ...rest: unknown[]) => {
      if (config?.name) statements.push(config.name);
      return query(config, ...rest);
    }) as never);
  });

  afterAll(() => app?.stop());

  it('three deliveries of one event claimed and recorded together: two succeeded, one dead-lettered', async () => {
    await Promise.all(['/a', '/b', '/c'].map((path) => createEndpoint(app.url!, { url: `http://127.0.0.1:9${path}` })));
    const accepted = await postAcme(app.url!, JSON.stringify({ id: 'batched_1', type: 'order.created' })).expect(202);
    const deliveries = await prisma.delivery.findMany({ where: { eventId: accepted.body.eventId } });
    expect(deliveries).toHaveLength(3);

    statements.length = 0;
    const claimed = (await Promise.all(
      deliveries.map((delivery) => repository.claim(delivery.id, `job-${delivery.id}`, 60_000)),
    )) as ClaimedDelivery[];
    expect(claimed.map((delivery) => delivery.id).sort()).toEqual(deliveries.map((delivery) => delivery.id).sort());
    expect(statements.filter((name) => name === 'delivery-claim-batch')).toHaveLength(1);

    const outcomes = [200, 204, 400];
    const recorded = await Promise.all(
      claimed.map((delivery, index) =>
        repository.recordAttempt(
          delivery,
          `job-${delivery.id}`,
          result(outcomes[index]),
          outcomes[index] < 300 ? { status: 'succeeded' } : { status: 'dead_lettered', reason: 'final answer: 400' },
        ),
      ),
    );
    expect(statements.filter((name) => name === 'delivery-record-batch')).toHaveLength(1);
    expect(recorded).toEqual([1, 1, 1].map((number) => ({ number, completedReplayId: null })));

    const event = await prisma.event.findUniqueOrThrow({ where: { id: accepted.body.eventId } });
    expect(event).toMatchObject({
      status: 'partially_delivered',
      deliveriesOpen: 0,
      deliveriesSucceeded: 2,
      deliveriesDeadLettered: 1,
    });
    const attempts = await prisma.deliveryAttempt.findMany({ where: { deliveryId: { in: claimed.map((d) => d.id) } } });
    expect(attempts.map((attempt) => attempt.responseStatus).sort()).toEqual([200, 204, 400]);
    expect(attempts.find((attempt) => attempt.responseStatus === 400)).toMatchObject({
      responseBody: 'no "thanks"',
      responseHeaders: { 'x-seen': 'yes' },
      error: 'HTTP 400',
    });
    const audit = await prisma.auditEntry.findMany({ where: { eventId: event.id, subjectType: 'delivery' } });
    expect(audit.map((entry) => entry.action).sort()).toEqual([
      'delivery.dead_lettered',
      'delivery.succeeded',
      'delivery.succeeded',
    ]);

    // A second record of the same claim finds nothing in flight: no attempt, no count twice.
    const again = await repository.recordAttempt(claimed[0], `job-${claimed[0].id}`, result(200), {
      status: 'succeeded',
    });
    expect(again).toEqual({ number: null, completedReplayId: null });
    expect((await prisma.event.findUniqueOrThrow({ where: { id: event.id } })).deliveriesSucceeded).toBe(2);
  });
});
