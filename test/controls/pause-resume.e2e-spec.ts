import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { createEndpoint, sendAcme } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { startControlsCluster, stopControlsCluster } from './support';

describe('endpoint controls: pause and resume (contract §6.6)', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    ({ api, worker, receiver, prisma } = await startControlsCluster());
  });

  afterAll(async () => {
    await stopControlsCluster({ worker, api, receiver });
  });

  const keyOf = async (scope: 'ops' | 'read') =>
    (
      await adminApi(api.url!)
        .post('/api-keys', { name: `${scope}-key`, scope })
        .expect(201)
    ).body.key as string;

  it('a paused endpoint holds its deliveries without using attempts; resume releases them all, no dead letter', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/paused'),
      filter: { eventTypes: ['hold.*'] },
      maxAttempts: 2,
    });
    await createEndpoint(api.url!, { url: receiver.url('/not-paused'), filter: { eventTypes: ['hold.*'] } });
    const ops = await keyOf('ops');
    const paused = await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/pause`)
      .set('authorization', `Bearer ${ops}`)
      .expect(200);
    expect(paused.body).toMatchObject({ id: endpoint.id, pausedAt: expect.any(String), health: { state: 'paused' } });

    const eventIds = await Promise.all(
      Array.from({ length: 5 }, (_, index) => sendAcme(api.url!, `hold_${index}`, 'hold.on')),
    );
    // The other endpoint is not held up by the pause.
    await waitFor(() => receiver.requestsTo('/not-paused').length === 5, {
      timeoutMs: 20_000,
      what: 'deliveries to the endpoint that is not paused',
    });
    // Each job of the paused endpoint has been looked at and put back at least twice: the worker is holding them.
    const deliveries = api.app.get(JobQueue).queue(QueueName.Delivery);
    await waitFor(
      async () => {
        const jobs = (await deliveries.getJobs(['delayed', 'waiting', 'active'])).filter(
          (job) => job?.data.endpointId === endpoint.id,
        );
        return jobs.length === 5 && jobs.every((job) => (job.attemptsStarted ?? 0) >= 2 && job.attemptsMade === 0);
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the paused deliveries to be held back twice each' },
    );
    expect(receiver.requestsTo('/paused')).toHaveLength(0);
    const held = await prisma.delivery.findMany({ where: { endpointId: endpoint.id } });
    expect(held.map((delivery) => [delivery.status, delivery.attemptCount])).toEqual(Array(5).fill(['pending', 0]));
    expect((await adminApi(api.url!).get(`/endpoints/${endpoint.id}`).expect(200)).body.health.state).toBe('paused');

    const resumed = await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/resume`)
      .set('authorization', `Bearer ${ops}`)
      .expect(200);
    expect(resumed.body).toMatchObject({ pausedAt: null, health: { state: 'healthy' } });
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === 5,
      { timeoutMs: 20_000, what: 'the held deliveries after resume' },
    );
    const released = await prisma.delivery.findMany({
      where: { endpointId: endpoint.id },
      include: { attempts: true },
    });
    expect(released.every((delivery) => delivery.attempts.length === 1)).toBe(true);
    expect(receiver.requestsTo('/paused')).toHaveLength(5);
    expect(await prisma.delivery.count({ where: { eventId: { in: eventIds }, status: 'dead_lettered' } })).toBe(0);

    const audit = await prisma.auditEntry.findMany({
      where: { subjectId: endpoint.id, action: { in: ['endpoint.paused', 'endpoint.resumed'] } },
      orderBy: { at: 'asc' },
    });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['endpoint.paused', 'ops-key'],
      ['endpoint.resumed', 'ops-key'],
    ]);
  });

  it('read keys may not pause or resume (403); unknown endpoints are 404', async () => {
    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/scoped') });
    const read = await keyOf('read');
    await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/pause`)
      .set('authorization', `Bearer ${read}`)
      .expect(403);
    await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/resume`)
      .set('authorization', `Bearer ${read}`)
      .expect(403);
    await adminApi(api.url!).post('/endpoints/00000000-0000-4000-8000-000000000000/pause').expect(404);
    expect((await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).pausedAt).toBeNull();
  });
});
