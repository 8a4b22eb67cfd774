import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Client } from 'pg';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { ACME_SECRET, createEndpoint, sendAcme } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface Family {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/**
 * The retention job in real worker processes. The events are made under a worker with the default retention (7d,
 * 30d, 365d); then workers with retention in seconds take over, so what is old and what is not is decided by the
 * test, not by how fast the machine is.
 */
describe('retention', () => {
  let api: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;
  let workers: { process: HookgateProcess; healthPort: number }[] = [];
  let stuckAnswers = 400;
  const ids: Record<string, string> = {};

  const startWorker = async (retention: Record<string, string>) => {
    const healthPort = await freePort();
    const process_ = HookgateProcess.spawn(['worker'], {
      DATABASE_URL: api.database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: api.config.redis.prefix,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      // Two attempts: a failed first one leaves the delivery `retrying` for an hour.
      DELIVERY_RETRY_SCHEDULE: '1h',
      WORKER_HEALTH_PORT: String(healthPort),
      // BullMQ marks a job active before the worker tracks its lock (it first schedules the next run); a job left
      // there, by a worker stopped in between or an event loop stalled past the lock, holds the retention queue's one
      // slot until the stalled check frees it. At the defaults (30 s, 30 s) that is up to a minute with no run.
      WORKER_LOCK_DURATION_MS: '4000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
      ...retention,
    });
    workers.push({ process: process_, healthPort });
    await waitFor(
      () =>
        request(`http://127.0.0.1:${healthPort}`)
          .get('/health/live')
          .then((response) => response.status === 200),
      { timeoutMs: 20_000, what: 'the worker to start' },
    );
  };
  const stopWorkers = async () => {
    await Promise.all(workers.map((worker) => worker.process.stop('SIGTERM')));
    workers = [];
  };
  const eventStatus = (id: string) =>
    adminApi(api.url!)
      .get(`/events/${id}`)
      .then((response) => response.status);
  const lastRun = async () => (await request(api.url!).get('/health/ready')).body.details?.retention?.lastRun;
  const purgedByWorkers = async (kind: string) => {
    let total = 0;
    for (const worker of workers) {
      const text = (await request(`http://127.0.0.1:${worker.healthPort}`).get('/metrics').expect(200)).text;
      const family = (parsePrometheusTextFormat(text) as Family[]).find(
        (candidate) => candidate.name === 'hookgate_retention_deleted_total',
      );
      total += Number(family?.metrics.find((metric) => metric.labels?.kind === kind)?.value ?? 0);
    }
    return total;
  };
  /** Waits until a whole retention run started after now and finished, so its verdict on every row is in. */
  const aFullRunAfterNow = async () => {
    const now = Date.now();
    try {
      return await waitFor(
        async () => {
          const run = await lastRun();
          return run && Date.parse(run.startedAt) > now ? run : undefined;
        },
        // A run every second, but beside the rest of the suite a run and the readiness lookup can each take seconds.
        { timeoutMs: 30_000, what: 'a retention run started after now' },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await retentionQueueState()}`, { cause: error });
    }
  };
  /** What the retention queue and the workers say, for a run that did not come. */
  const retentionQueueState = async () => {
    const queue = api.app.get(JobQueue).queue(QueueName.Retention);
    const jobs = async (state: 'active' | 'failed' | 'completed') =>
      (await queue.getJobs([state], 0, 2, false)).map((job) => ({
        id: job.id,
        processedOn: job.processedOn,
        finishedOn: job.finishedOn,
        failedReason: job.failedReason,
      }));
    return JSON.stringify(
      {
        now: Date.now(),
        counts: await queue.getJobCounts(),
        active: await jobs('active'),
        failed: await jobs('failed'),
        completed: await jobs('completed'),
        schedulers: await queue.getJobSchedulers(),
        workers: workers.map((worker) => worker.process.text.slice(-2_000)),
      },
      null,
      2,
    );
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((received) => {
      const type = (JSON.parse(received.body) as { type: string }).type;
      if (type === 'keep.retrying') return { status: 500 };
      if (type === 'replay.stuck') return { status: stuckAnswers };
      return { status: 200 };
    });
    api = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    prisma = api.app.get(PrismaService);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.process.stop('SIGKILL')));
    await api?.stop();
    await receiver?.close();
  });

  const deliveryOf = (eventId: string) => prisma.delivery.findFirst({ where: { eventId } });

  it('setup: a finished event, an event still retrying, and a running replay over two events', async () => {
    await startWorker({});
    await createEndpoint(api.url!, { url: receiver.url('/retention') });
    ids.done = await sendAcme(api.url!, 'ret_done', 'plain.done');
    ids.retrying = await sendAcme(api.url!, 'ret_retrying', 'keep.retrying');
    ids.replayedOk = await sendAcme(api.url!, 'ret_replay_ok', 'replay.ok');
    ids.replayedStuck = await sendAcme(api.url!, 'ret_replay_stuck', 'replay.stuck');
    await waitFor(
      async () =>
        (await deliveryOf(ids.done))?.status === 'succeeded' &&
        (await deliveryOf(ids.retrying))?.status === 'retrying' &&
        (await deliveryOf(ids.replayedOk))?.status === 'succeeded' &&
        (await deliveryOf(ids.replayedStuck))?.status === 'dead_lettered',
      { timeoutMs: 20_000, what: 'the first deliveries' },
    );

    // The replay re-delivers both: replay.ok succeeds again (its event is final again), replay.stuck now retries,
    // so the replay stays running.
    stuckAnswers = 500;
    const replay = await adminApi(api.url!)
      .post('/replays', { reason: 'retention test', filter: { type: 'replay.*' } })
      .expect(202);
    ids.replay = replay.body.replayRequestId;
    await waitFor(
      async () =>
        (await deliveryOf(ids.replayedOk))?.attemptCount === 2 &&
        (await deliveryOf(ids.replayedStuck))?.status === 'retrying',
      { timeoutMs: 20_000, what: 'the replay to run' },
    );
    expect((await prisma.event.findUniqueOrThrow({ where: { id: ids.replayedOk } })).status).toBe('delivered');
    expect((await prisma.replayRequest.findUniqueOrThrow({ where: { id: ids.replay } })).status).toBe('running');
    expect(await prisma.auditEntry.count()).toBeGreaterThan(0);
  });

  it('audit entries still cannot be changed or deleted by ordinary SQL', async () => {
    const client = new Client({ connectionString: api.database.url });
    await client.connect();
    try {
      await expect(client.query('DELETE FROM audit_entries')).rejects.toThrow(/append-only \(DELETE refused\)/);
      await expect(client.query(`UPDATE audit_entries SET actor = 'someone else'`)).rejects.toThrow(
        /append-only \(UPDATE refused\)/,
      );
      await expect(client.query('TRUNCATE audit_entries')).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
      // The purge's setting lets through only entries older than the instant it names.
      await client.query('BEGIN');
      await client.query(`SELECT set_config('hookgate.audit_purge_before', (now() - interval '1 day')::text, true)`);
      await expect(client.query('DELETE FROM audit_entries')).rejects.toThrow(/append-only/);
      await client.query('ROLLBACK');
      expect(await prisma.auditEntry.count()).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('raw requests older than RETENTION_RAW_AFTER are purged; their events stay, with raw null', async () => {
    await stopWorkers();
    await startWorker({ RETENTION_RAW_AFTER: '1s', RETENTION_INTERVAL: '1s' });
    await waitFor(async () => (await adminApi(api.url!).get(`/events/${ids.done}`).expect(200)).body.raw === null, {
      timeoutMs: 20_000,
      what: 'the raw request to be purged',
    });
    await aFullRunAfterNow();
    expect(await prisma.rawWebhook.count()).toBe(0);
    // Unlinked, not left pointing at a purged row.
    expect(await prisma.event.count({ where: { rawWebhookId: { not: null } } })).toBe(0);
    const event = (await adminApi(api.url!).get(`/events/${ids.done}`).expect(200)).body;
    expect(event).toMatchObject({ id: ids.done, type: 'plain.done', raw: null, data: { id: 'ret_done' } });
    expect(event.deliveries).toHaveLength(1);
    // The four webhooks, and the notice of replay.stuck's dead letter, which the first worker sent as it stopped.
    expect(await prisma.event.count({ where: { integration: { slug: 'acme' } } })).toBe(4);
    expect(await prisma.event.count({ where: { type: 'hookgate.delivery.dead_lettered' } })).toBe(1);
    expect(await prisma.event.count()).toBe(5);
    // Hookgate's own events keep a raw record too.
    expect(await purgedByWorkers('raw')).toBe(5);
  }, 90_000);

  it('finished events and audit entries past their retention are purged; in-flight and replayed events survive', async () => {
    await stopWorkers();
    const shortRetention = {
      RETENTION_RAW_AFTER: '1s',
      RETENTION_EVENTS_AFTER: '1s',
      RETENTION_AUDIT_AFTER: '1s',
      RETENTION_INTERVAL: '1s',
    };
    // Two workers: they share one schedule and one run at a time.
    await startWorker(shortRetention);
    await startWorker(shortRetention);
    await waitFor(async () => (await eventStatus(ids.done)) === 404, {
      timeoutMs: 20_000,
      what: 'the finished event to be purged',
    });
    const run = await aFullRunAfterNow();

    expect(await eventStatus(ids.retrying)).toBe(200);
    expect(await eventStatus(ids.replayedStuck)).toBe(200);
    // Final and old, but its delivery belongs to a replay still running.
    expect(await eventStatus(ids.replayedOk)).toBe(200);
    expect(await prisma.delivery.count({ where: { eventId: ids.done } })).toBe(0);
    expect(await prisma.auditEntry.count({ where: { at: { lt: new Date(Date.parse(run.startedAt) - 1_000) } } })).toBe(
      0,
    );

    // plain.done, and the dead-letter notice, final at once: no endpoint takes hookgate.* here.
    expect(await prisma.event.count({ where: { type: 'hookgate.delivery.dead_lettered' } })).toBe(0);
    expect(await purgedByWorkers('events')).toBe(2);
    expect(await purgedByWorkers('deliveries')).toBe(1);
    expect(await purgedByWorkers('attempts')).toBe(1);
    expect(await purgedByWorkers('audit')).toBeGreaterThan(0);
    expect(run).toMatchObject({
      finishedAt: expect.any(String),
      durationMs: expect.any(Number),
      eventsDeferred: false,
    });

    // One run at a time: the retention queue runs one job across all workers, and the runs kept never overlap.
    const queue = api.app.get(JobQueue).queue(QueueName.Retention);
    expect(await queue.getGlobalConcurrency()).toBe(1);
    const runs = (await queue.getJobs(['completed'], 0, 19, true))
      .map((job) => ({ from: job.processedOn!, to: job.finishedOn! }))
      .sort((a, b) => a.from - b.from);
    expect(runs.length).toBeGreaterThan(1);
    runs.slice(1).forEach((current, index) => expect(current.from).toBeGreaterThanOrEqual(runs[index].to));
  }, 120_000);
});
