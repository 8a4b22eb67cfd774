import { Queue, Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { JobName } from '../../src/queue/queue-names';
import { WorkerRunner } from '../../src/queue/worker-runner';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * Scheduled jobs (retention, maintenance) when their interval changes between deployments: the new interval takes
 * hold at once. BullMQ keeps an `every` schedule's offset, and a job made under the old interval carried it into the
 * new one: after 1 h → 1 s, the next run could be half an hour away (seen in the retention test).
 */
describe('job schedules', () => {
  let app: TestApp;
  let queue: Queue;
  let worker: Worker;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
    const connection = { url: process.env.REDIS_URL };
    const prefix = `hgtest-schedules-${randomBytes(4).toString('hex')}`;
    queue = new Queue('scheduled', { connection, prefix });
    worker = new Worker('scheduled', async () => 'ran', { connection, prefix });
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await app?.stop();
  });

  it('a changed interval takes hold at once: one schedule, the new interval, the next run within it', async () => {
    const runner = app.app.get(WorkerRunner);
    await runner.schedule(queue, 'purge', 3_600_000, JobName.PurgeExpired);
    await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 1, { what: 'the first run' });

    await runner.schedule(queue, 'purge', 1_000, JobName.PurgeExpired);
    await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 4, {
      timeoutMs: 20_000,
      what: 'runs every second',
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ every: 1_000 });
    expect(Number(schedulers[0].offset ?? 0)).toBeLessThan(1_000);
    expect(schedulers[0].next! - Date.now()).toBeLessThanOrEqual(2_000);
  });
});
