import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { ACME_SECRET, createEndpoint, sendAcme } from '../delivery/support';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const REFUSAL = 'deliveries are read-only for this test';

// Contract §6.4: a replay whose job fails for good ends `failed`, with the reason in `GET /replays/:id`.
describe('a replay whose job fails for good', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    // Replay retries in tens of milliseconds (instead of 2 s, 4 s, 8 s, 16 s), so its five attempts run out quickly.
    app = await startTestApp({ role: 'all', env: { ACME_WEBHOOK_SECRET: ACME_SECRET, REPLAY_RETRY_DELAY_MS: '50' } });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await prisma?.$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_delivery_writes ON deliveries');
    await app?.stop();
    await receiver?.close();
  });

  it('ends `failed` with the database error as its reason, after its retries are used up', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/replayed'),
      filter: { eventTypes: ['doomed.*'] },
    });
    const eventId = await sendAcme(app.url!, 'doomed_1', 'doomed.replay');
    await waitFor(
      async () =>
        (await prisma.delivery.findFirst({ where: { eventId, endpointId: endpoint.id } }))?.status === 'succeeded',
      { what: 'the first delivery' },
    );

    // A real failure, not a mock: PostgreSQL itself refuses every write to the deliveries a replay must reset.
    await prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_delivery_writes() RETURNS trigger
      LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${REFUSAL}'; END $$`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_delivery_writes BEFORE INSERT OR UPDATE ON deliveries
      FOR EACH ROW EXECUTE FUNCTION refuse_delivery_writes()`);

    const started = await adminApi(app.url!)
      .post('/replays', { reason: 'receiver lost its data', filter: { type: 'doomed.*' } })
      .expect(202);
    const failed = await waitFor(
      async () => {
        const replay = (await adminApi(app.url!).get(`/replays/${started.body.replayRequestId}`).expect(200)).body;
        return replay.status === 'failed' ? replay : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the replay to fail' },
    );

    expect(failed.error).toContain(REFUSAL);
    expect(failed.finishedAt).toEqual(expect.any(String));
    expect(failed.completed).toBe(0);
    // Failed for good only after BullMQ's five attempts, not at the first error.
    const job = await app.app.get(JobQueue).queue(QueueName.Replay).getJob(started.body.replayRequestId);
    expect(job?.attemptsMade).toBe(5);
    expect(receiver.requestsTo('/replayed')).toHaveLength(1);
  }, 40_000);
});
