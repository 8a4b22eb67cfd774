import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, sendAcme } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { startControlsCluster, stopControlsCluster } from './support';

describe('endpoint controls: POST /endpoints/:id/recover (contract §6.6)', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;
  let down = true;

  beforeAll(async () => {
    ({ api, worker, receiver, prisma } = await startControlsCluster());
    receiver.respondWith(() => ({ status: down ? 500 : 200 }));
  });

  afterAll(async () => {
    await stopControlsCluster({ worker, api, receiver });
  });

  const statusOf = async (eventId: string, endpointId: string) =>
    (await prisma.delivery.findFirst({ where: { eventId, endpointId } }))?.status;
  const settled = (eventId: string, endpointId: string, status: string) =>
    waitFor(async () => (await statusOf(eventId, endpointId)) === status, {
      timeoutMs: 20_000,
      what: `delivery of ${eventId} ${status}`,
    });

  it('replays exactly the deliveries since T that did not succeed, recorded as a replay', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/recover'),
      filter: { eventTypes: ['outage.*'] },
      maxAttempts: 1,
    });
    const before = await sendAcme(api.url!, 'outage_before', 'outage.event');
    await settled(before, endpoint.id, 'dead_lettered');

    const since = new Date();
    const failed = await Promise.all(['outage_1', 'outage_2'].map((id) => sendAcme(api.url!, id, 'outage.event')));
    await Promise.all(failed.map((eventId) => settled(eventId, endpoint.id, 'dead_lettered')));
    down = false;
    const fine = await sendAcme(api.url!, 'outage_fine', 'outage.event');
    await settled(fine, endpoint.id, 'succeeded');
    const requestsBefore = receiver.requestsTo('/recover').length;

    const answer = await adminApi(api.url!)
      .post(`/endpoints/${endpoint.id}/recover`, { since: since.toISOString(), reason: 'receiver was down' })
      .expect(202);
    expect(answer.body).toEqual({ replayRequestId: expect.any(String), matched: 2 });
    await waitFor(
      async () => (await adminApi(api.url!).get(`/replays/${answer.body.replayRequestId}`)).body.status === 'completed',
      { timeoutMs: 20_000, what: 'the recovery' },
    );

    for (const eventId of failed) expect(await statusOf(eventId, endpoint.id)).toBe('succeeded');
    expect(await statusOf(before, endpoint.id)).toBe('dead_lettered');
    const fineDelivery = await prisma.delivery.findFirstOrThrow({
      where: { eventId: fine, endpointId: endpoint.id },
      include: { attempts: true },
    });
    expect(fineDelivery.attempts).toHaveLength(1);
    expect(receiver.requestsTo('/recover').length - requestsBefore).toBe(2);
    const replay = await adminApi(api.url!).get(`/replays/${answer.body.replayRequestId}`).expect(200);
    expect(replay.body).toMatchObject({
      reason: 'receiver was down',
      matched: 2,
      enqueued: 2,
      completed: 2,
      filter: { endpointId: endpoint.id, since: since.toISOString() },
    });
    expect(await prisma.replayRequest.findUniqueOrThrow({ where: { id: answer.body.replayRequestId } })).toMatchObject({
      kind: 'recover',
      endpointId: endpoint.id,
    });
  });

  it('read keys may not recover (403); a missing or malformed since is 400; unknown endpoints 404', async () => {
    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/recover-scoped') });
    const read = (await adminApi(api.url!).post('/api-keys', { name: 'reader', scope: 'read' }).expect(201)).body.key;
    await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/recover`)
      .set('authorization', `Bearer ${read}`)
      .send({ since: new Date().toISOString(), reason: 'x' })
      .expect(403);
    await adminApi(api.url!).post(`/endpoints/${endpoint.id}/recover`, { reason: 'x' }).expect(400);
    await adminApi(api.url!).post(`/endpoints/${endpoint.id}/recover`, { since: 'yesterday', reason: 'x' }).expect(400);
    await adminApi(api.url!)
      .post('/endpoints/00000000-0000-4000-8000-000000000000/recover', { since: new Date().toISOString(), reason: 'x' })
      .expect(404);
  });
});
