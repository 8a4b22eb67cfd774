import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { startControlsCluster, stopControlsCluster } from './support';

const TOKEN = 'endpoint-bearer-token-4f1c9a';

describe('endpoint controls: custom headers and bearer auth (contract §6.6)', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    ({ api, worker, receiver, prisma } = await startControlsCluster());
    // The receiver checks the token as a real one would: anything else is a 401.
    receiver.respondWith((request) =>
      request.headers.authorization === `Bearer ${TOKEN}` || request.path === '/open'
        ? { status: 200 }
        : { status: 401 },
    );
  });

  afterAll(async () => {
    await stopControlsCluster({ worker, api, receiver });
  });

  const settled = (eventId: string, endpointId: string) =>
    waitFor(
      async () => {
        const delivery = await prisma.delivery.findFirst({
          where: { eventId, endpointId },
          include: { attempts: true },
        });
        return delivery?.status === 'succeeded' || delivery?.status === 'dead_lettered' ? delivery : undefined;
      },
      { timeoutMs: 20_000, what: 'the delivery to settle' },
    );

  it('sends the static headers and the bearer token; reads, records and the database never show the token', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/bearer'),
      filter: { eventTypes: ['auth.*'] },
      headers: { 'X-Tenant': 'eu-1', 'x-route': 'blue' },
      auth: { type: 'bearer', token: TOKEN },
    });
    expect(endpoint).toMatchObject({ headers: { 'x-tenant': 'eu-1', 'x-route': 'blue' }, auth: { type: 'bearer' } });
    const eventId = await sendAcme(api.url!, 'bearer_1', 'auth.checked');

    const delivery = await settled(eventId, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    const [received] = receiver.requestsTo('/bearer');
    expect(received.headers).toMatchObject({ 'x-tenant': 'eu-1', 'x-route': 'blue', authorization: `Bearer ${TOKEN}` });
    expect(verifyDelivery(received, endpoint.secret).id).toBe(eventId);
    expect(delivery.attempts[0].requestHeaders).toMatchObject({ authorization: '[redacted]', 'x-tenant': 'eu-1' });

    const read = await adminApi(api.url!).get(`/endpoints/${endpoint.id}`).expect(200);
    expect(read.body).toMatchObject({ headers: { 'x-tenant': 'eu-1' }, auth: { type: 'bearer' } });
    expect(JSON.stringify(read.body)).not.toContain(TOKEN);
    const row = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.auth).toMatch(/^enc:v1:/);
    expect(row.auth).not.toContain(TOKEN);
    expect(worker.text).not.toContain(TOKEN);
  });

  it('a wrong token is what the receiver refuses: a PATCHed token takes effect, `none` removes the auth', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/bearer-patched'),
      filter: { eventTypes: ['patched.*'] },
      auth: { type: 'bearer', token: 'wrong' },
    });
    const refused = await settled(await sendAcme(api.url!, 'patched_1', 'patched.one'), endpoint.id);
    expect(refused.status).toBe('dead_lettered');
    expect(refused.attempts[0].responseStatus).toBe(401);

    await adminApi(api.url!)
      .patch(`/endpoints/${endpoint.id}`, { auth: { type: 'bearer', token: TOKEN } })
      .expect(200);
    expect((await settled(await sendAcme(api.url!, 'patched_2', 'patched.two'), endpoint.id)).status).toBe('succeeded');

    const cleared = await adminApi(api.url!)
      .patch(`/endpoints/${endpoint.id}`, { auth: { type: 'none' }, url: receiver.url('/open') })
      .expect(200);
    expect(cleared.body.auth).toBeNull();
    expect((await settled(await sendAcme(api.url!, 'patched_3', 'patched.three'), endpoint.id)).status).toBe(
      'succeeded',
    );
    expect(receiver.requestsTo('/open')[0].headers.authorization).toBeUndefined();
  });

  it.each([
    [{ headers: { 'webhook-id': 'mine' } }, 'webhook-id'],
    [{ headers: { 'Content-Type': 'text/plain' } }, 'Content-Type'],
    [{ headers: { 'user-agent': 'x' } }, 'user-agent'],
    [{ headers: { host: 'evil.example' } }, 'host'],
    [{ headers: { 'x-ok': 'line\r\nx-injected: 1' } }, 'x-ok'],
    [{ headers: { 'x-number': 5 } }, 'x-number'],
    [{ headers: ['x'] }, 'headers'],
    [{ auth: { type: 'bearer' } }, 'auth.token'],
    [{ auth: { type: 'basic', token: 'x' } }, 'type'],
    [
      { auth: { type: 'oauth2_client_credentials', tokenUrl: 'ftp://x', clientId: 'a', clientSecret: 'b' } },
      'tokenUrl',
    ],
    [{ auth: { type: 'bearer', token: 'x', clientSecret: 'y' } }, 'clientSecret'],
  ])('refuses %j with 400', async (fields, expected) => {
    const response = await adminApi(api.url!)
      .post('/endpoints', { url: 'https://example.com/x', ...fields })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toContain(expected);
  });
});
