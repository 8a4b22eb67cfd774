import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { startControlsCluster, stopControlsCluster } from './support';

describe('endpoint controls: payload filters (contract §6.6)', () => {
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

  it('delivers only the events whose payload matches every condition; an endpoint without one gets them all', async () => {
    const payload = {
      'data.object.currency': 'eur',
      'data.object.amount': { gte: 1000 },
      'data.livemode': { in: [true] },
      'data.object.customer': { exists: true },
    };
    const filtered = await createEndpoint(api.url!, {
      url: receiver.url('/eur-large'),
      filter: { eventTypes: ['charge.*'], payload },
    });
    expect(filtered).toMatchObject({ filter: { eventTypes: ['charge.*'], payload } });
    const everything = await createEndpoint(api.url!, {
      url: receiver.url('/all-charges'),
      filter: { eventTypes: ['charge.*'] },
    });
    // The envelope's `data` is the provider's body: here `{id, type, livemode, object}`.
    const charge = (currency: string, amount: number, customer?: string) => ({
      livemode: true,
      object: { currency, amount, ...(customer ? { customer } : {}) },
    });

    const matching = await sendAcme(api.url!, 'charge_eur_1500', 'charge.succeeded', charge('eur', 1500, 'cus_1'));
    const misses = await Promise.all([
      sendAcme(api.url!, 'charge_usd_1500', 'charge.succeeded', charge('usd', 1500, 'cus_1')),
      sendAcme(api.url!, 'charge_eur_999', 'charge.succeeded', charge('eur', 999, 'cus_1')),
      sendAcme(api.url!, 'charge_eur_anonymous', 'charge.succeeded', charge('eur', 5000)),
    ]);

    await waitFor(() => receiver.requestsTo('/all-charges').length === 4, {
      timeoutMs: 20_000,
      what: 'the four charges at the unfiltered endpoint',
    });
    // Every event was fanned out before the unfiltered endpoint got it, so the filtered one has all it will get.
    await waitFor(
      async () =>
        (await prisma.event.count({ where: { id: { in: [matching, ...misses] }, status: 'delivered' } })) === 4,
      { what: 'all four events delivered' },
    );
    const received = receiver.requestsTo('/eur-large');
    expect(received.map((request) => verifyDelivery(request, filtered.secret).id)).toEqual([matching]);
    expect(await prisma.delivery.count({ where: { endpointId: filtered.id } })).toBe(1);
    expect(await prisma.delivery.count({ where: { endpointId: everything.id } })).toBe(4);
  });

  it('a PATCHed payload filter takes effect at once (the fan-out cache is invalidated)', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/patched'),
      filter: { eventTypes: ['order.*'], payload: { 'data.region': 'eu' } },
    });
    await adminApi(api.url!)
      .patch(`/endpoints/${endpoint.id}`, {
        filter: { eventTypes: ['order.*'], payload: { 'data.region': { in: ['us', 'ca'] } } },
      })
      .expect(200);
    const us = await sendAcme(api.url!, 'order_us', 'order.created', { region: 'us' });
    const eu = await sendAcme(api.url!, 'order_eu', 'order.created', { region: 'eu' });
    await waitFor(
      async () =>
        (await prisma.event.count({
          where: { id: { in: [us, eu] }, status: { in: ['delivered', 'no_subscribers'] } },
        })) === 2,
      { what: 'both events routed' },
    );
    expect(receiver.requestsTo('/patched').map((request) => verifyDelivery(request, endpoint.secret).id)).toEqual([us]);
  });

  it.each([
    [{ 'data.amount': { gt: 1000 } }, 'unknown operator'],
    [{ 'data.currency': { in: 'eur' } }, 'in must be an array'],
    [{ 'data.x': { exists: 1 } }, 'true or false'],
    ['eur', 'payload'],
  ])('refuses filter.payload %j with 400', async (payload, expected) => {
    const response = await adminApi(api.url!)
      .post('/endpoints', { url: 'https://example.com/x', filter: { payload } })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toContain(expected);
  });
});
