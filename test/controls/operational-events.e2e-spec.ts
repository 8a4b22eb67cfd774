import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { spawnWorker, startControlsCluster, stopControlsCluster } from './support';

type Envelope = { id: string; type: string; integration: string; provider: string; data: Record<string, unknown> };

describe('endpoint controls: operational events hookgate.* (contract §6.6)', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;
  let ops: { id: string; secret: string };

  beforeAll(async () => {
    ({ api, worker, receiver, prisma } = await startControlsCluster({
      env: { OPERATIONAL_DEAD_LETTER_WINDOW: '5s' },
      workerEnv: { OPERATIONAL_DEAD_LETTER_WINDOW: '5s' },
    }));
    receiver.respondWith((request) => ({ status: request.path === '/dead' ? 500 : 200 }));
    ops = await createEndpoint(api.url!, { url: receiver.url('/ops'), filter: { eventTypes: ['hookgate.*'] } });
    await createEndpoint(api.url!, { url: receiver.url('/everything') });
  });

  afterAll(async () => {
    await stopControlsCluster({ worker, api, receiver });
  });

  /** The operational events the ops endpoint received, verified as a receiver would. */
  const opsEvents = (type: string, about?: string): Envelope[] =>
    receiver
      .requestsTo('/ops')
      .map((request: ReceivedRequest) => verifyDelivery(request, ops.secret) as unknown as Envelope)
      .filter(
        (envelope) =>
          envelope.type === type &&
          (!about || envelope.data.endpointId === about || envelope.data.replayRequestId === about),
      );
  const arrived = (type: string, about: string) =>
    waitFor(() => opsEvents(type, about).length > 0 && opsEvents(type, about), {
      timeoutMs: 20_000,
      what: `${type} about ${about}`,
    });

  it('pause and resume: the subscribed endpoint gets both; the paused endpoint is not sent its own pause', async () => {
    const subject = await createEndpoint(api.url!, {
      url: receiver.url('/subject'),
      filter: { eventTypes: ['hookgate.endpoint.*'] },
    });
    await adminApi(api.url!).post(`/endpoints/${subject.id}/pause`).expect(200);
    const [paused] = await arrived('hookgate.endpoint.paused', subject.id);
    expect(paused).toMatchObject({
      integration: 'hookgate',
      provider: 'hookgate',
      data: { endpointId: subject.id, actor: 'bootstrap-admin' },
    });
    await adminApi(api.url!).post(`/endpoints/${subject.id}/resume`).expect(200);
    await arrived('hookgate.endpoint.resumed', subject.id);
    // The subject, active again, gets the resume notice, and never got the pause notice (no delivery was created).
    await waitFor(() => receiver.requestsTo('/subject').length === 1, {
      timeoutMs: 20_000,
      what: 'the resume notice at the subject',
    });
    expect(receiver.requestsTo('/subject').map((request) => verifyDelivery(request, subject.secret).type)).toEqual([
      'hookgate.endpoint.resumed',
    ]);
    expect(
      await prisma.delivery.count({ where: { endpointId: subject.id, event: { type: 'hookgate.endpoint.paused' } } }),
    ).toBe(0);

    // Stored and searchable like any event.
    const listed = await adminApi(api.url!).get('/events?integration=hookgate&type=hookgate.endpoint.*').expect(200);
    expect(listed.body.data.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['hookgate.endpoint.paused', 'hookgate.endpoint.resumed']),
    );
  });

  it('dead letters: one notice per endpoint per window, with the count', async () => {
    const dead = await createEndpoint(api.url!, {
      url: receiver.url('/dead'),
      filter: { eventTypes: ['doomed.*'] },
      maxAttempts: 1,
    });
    await Promise.all(['doomed_1', 'doomed_2', 'doomed_3'].map((id) => sendAcme(api.url!, id, 'doomed.event')));
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: dead.id, status: 'dead_lettered' } })) === 3,
      { what: 'three dead letters' },
    );
    await waitFor(
      () =>
        opsEvents('hookgate.delivery.dead_lettered', dead.id).reduce(
          (sum, event) => sum + Number(event.data.count),
          0,
        ) === 3,
      { timeoutMs: 20_000, what: 'notices counting all three' },
    );
    const notices = opsEvents('hookgate.delivery.dead_lettered', dead.id);
    // Three dead letters within moments: one notice, or two if they straddled a window's end.
    expect(notices.length).toBeLessThan(3);
    expect(notices[0].data).toMatchObject({
      endpointId: dead.id,
      windowStart: expect.any(String),
      windowEnd: expect.any(String),
    });
  });

  it('a worker stopped with SIGTERM sends the notices of its windows still open, before it lets go of the database', async () => {
    // Only a worker whose window outlasts the test holds the dead letter; stopping it is the one way its notice goes.
    await worker.stop('SIGTERM');
    const holder = spawnWorker(api, { OPERATIONAL_DEAD_LETTER_WINDOW: '1h' });
    const dead = await createEndpoint(api.url!, {
      url: receiver.url('/dead'),
      filter: { eventTypes: ['held.*'] },
      maxAttempts: 1,
    });
    try {
      await sendAcme(api.url!, 'held_1', 'held.event');
      await waitFor(
        async () => (await prisma.delivery.count({ where: { endpointId: dead.id, status: 'dead_lettered' } })) === 1,
        { timeoutMs: 20_000, what: 'the dead letter' },
      );
      await holder.stop('SIGTERM');
      expect(holder.text).not.toMatch(/dead-letter notice not sent|operational event not emitted/);
    } finally {
      await holder.stop('SIGKILL');
      worker = spawnWorker(api, { OPERATIONAL_DEAD_LETTER_WINDOW: '5s' });
    }
    const [notice] = await arrived('hookgate.delivery.dead_lettered', dead.id);
    expect(notice.data).toMatchObject({ endpointId: dead.id, count: 1 });
  });

  it('disabled endpoints and completed replays are announced', async () => {
    const victim = await createEndpoint(api.url!, {
      url: receiver.url('/victim'),
      filter: { eventTypes: ['victim.*'] },
    });
    await adminApi(api.url!).patch(`/endpoints/${victim.id}`, { enabled: false }).expect(200);
    const [disabled] = await arrived('hookgate.endpoint.disabled', victim.id);
    expect(disabled.data).toMatchObject({ reason: 'disabled by bootstrap-admin' });

    const target = await createEndpoint(api.url!, {
      url: receiver.url('/replayed'),
      filter: { eventTypes: ['again.*'] },
    });
    const eventId = await sendAcme(api.url!, 'again_1', 'again.event');
    await waitFor(() => receiver.requestsTo('/replayed').length === 1, { what: 'the first delivery' });
    const replay = await adminApi(api.url!)
      .post(`/events/${eventId}/replay`, { reason: 'check', endpointId: target.id })
      .expect(202);
    await arrived('hookgate.replay.completed', replay.body.replayRequestId);
    expect((await adminApi(api.url!).get(`/replays/${replay.body.replayRequestId}`)).body.status).toBe('completed');
  });

  it("an application's endpoint is announced to that application's endpoints only (contract §7.1)", async () => {
    await adminApi(api.url!).post('/applications', { uid: 'tenant', name: 'tenant' }).expect(201);
    const tenantOps = await createEndpoint(api.url!, {
      application: 'tenant',
      url: receiver.url('/tenant-ops'),
      filter: { eventTypes: ['hookgate.*'] },
    });
    const subject = await createEndpoint(api.url!, {
      application: 'tenant',
      url: receiver.url('/tenant-subject'),
      filter: { eventTypes: ['nothing.*'] },
    });
    await adminApi(api.url!).post(`/endpoints/${subject.id}/pause`).expect(200);
    const notice = await waitFor(
      () =>
        receiver
          .requestsTo('/tenant-ops')
          .map((request) => verifyDelivery(request, tenantOps.secret) as unknown as Envelope)
          .find((envelope) => envelope.type === 'hookgate.endpoint.paused'),
      { timeoutMs: 20_000, what: "the pause notice at the tenant's own endpoint" },
    );
    const event = (await adminApi(api.url!).get(`/events/${notice.id}`).expect(200)).body;
    expect(event).toMatchObject({ application: 'tenant', integration: 'hookgate' });
    expect(event.deliveries.map((delivery: { endpointId: string }) => delivery.endpointId)).toEqual([tenantOps.id]);
    expect(opsEvents('hookgate.endpoint.paused', subject.id)).toEqual([]);
  });

  it('an endpoint that takes every event is never sent hookgate.* unless it names them', () => {
    const types = receiver.requestsTo('/everything').map((request) => JSON.parse(request.body).type as string);
    expect(types.length).toBeGreaterThan(0);
    expect(types.filter((type) => type.startsWith('hookgate.'))).toEqual([]);
  });
});
