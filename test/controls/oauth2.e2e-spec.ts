import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, sendAcme, verifyDelivery, waitForDeadLetter } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { OAuth2TestServer } from './oauth2-server';
import { startControlsCluster, stopControlsCluster } from './support';

const CLIENT_ID = 'hookgate-client';
const CLIENT_SECRET = 'oauth-client-secret-7d2e91';

describe('endpoint controls: OAuth2 client credentials (contract §6.6)', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let oauth: OAuth2TestServer;
  let prisma: PrismaService;

  beforeAll(async () => {
    ({ api, worker, receiver, prisma } = await startControlsCluster({ workerEnv: { DELIVERY_CONCURRENCY: '20' } }));
    oauth = await OAuth2TestServer.start({ [CLIENT_ID]: CLIENT_SECRET });
    // The receiver is the resource server: only a token the authorization server issued and still honours passes.
    receiver.respondWith((request) =>
      oauth.accepts(request.headers.authorization) ? { status: 200 } : { status: 401 },
    );
  });

  afterAll(async () => {
    await stopControlsCluster({ worker, api, receiver });
    await oauth?.close();
  });

  const auth = (overrides: object = {}) => ({
    type: 'oauth2_client_credentials',
    tokenUrl: oauth.tokenUrl,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scope: 'webhooks:write',
    ...overrides,
  });
  const succeeded = (endpointId: string, count: number) =>
    waitFor(async () => (await prisma.delivery.count({ where: { endpointId, status: 'succeeded' } })) === count, {
      timeoutMs: 30_000,
      what: `${count} deliveries`,
    });

  it('20 concurrent deliveries share one token fetch; reads, records, logs and the database never show the secret', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/oauth'),
      filter: { eventTypes: ['oauth.*'] },
      auth: auth(),
    });
    expect(endpoint).toMatchObject({
      auth: {
        type: 'oauth2_client_credentials',
        tokenUrl: oauth.tokenUrl,
        clientId: CLIENT_ID,
        scope: 'webhooks:write',
      },
    });
    await Promise.all(Array.from({ length: 20 }, (_, index) => sendAcme(api.url!, `oauth_${index}`, 'oauth.call')));
    await succeeded(endpoint.id, 20);

    expect(oauth.requests).toEqual([
      expect.objectContaining({ clientId: CLIENT_ID, grantType: 'client_credentials', scope: 'webhooks:write' }),
    ]);
    const received = receiver.requestsTo('/oauth');
    expect(received).toHaveLength(20);
    expect(new Set(received.map((request) => request.headers.authorization))).toEqual(
      new Set([`Bearer ${oauth.issuedTokens()[0]}`]),
    );
    expect(verifyDelivery(received[0], endpoint.secret).type).toBe('oauth.call');

    const read = await adminApi(api.url!).get(`/endpoints/${endpoint.id}`).expect(200);
    expect(JSON.stringify(read.body)).not.toContain(CLIENT_SECRET);
    expect((await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).auth).not.toContain(CLIENT_SECRET);
    const attempts = await prisma.deliveryAttempt.findMany({ where: { delivery: { endpointId: endpoint.id } } });
    expect(JSON.stringify(attempts)).not.toContain(oauth.issuedTokens()[0]);
    expect(worker.text).not.toContain(CLIENT_SECRET);
  });

  it('a token the server revoked: the endpoint answers 401, the worker fetches a new token once and the same attempt succeeds', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/oauth-revoked'),
      filter: { eventTypes: ['revoked.*'] },
      auth: auth(),
    });
    await sendAcme(api.url!, 'revoked_0', 'revoked.call');
    await succeeded(endpoint.id, 1);
    const fetches = oauth.requests.length;
    oauth.revokeAll();

    await sendAcme(api.url!, 'revoked_1', 'revoked.call');
    await succeeded(endpoint.id, 2);
    expect(oauth.requests.length).toBe(fetches + 1);
    expect(
      receiver.requestsTo('/oauth-revoked').map((request) => oauth.accepts(request.headers.authorization as string)),
    ).toEqual([false, false, true]);
    const deliveries = await prisma.delivery.findMany({
      where: { endpointId: endpoint.id },
      include: { attempts: true },
    });
    expect(deliveries.map((delivery) => delivery.attempts.length)).toEqual([1, 1]);
  });

  it('a token near its expiry is refetched before it is used (no 401 seen)', async () => {
    oauth.lifetimeSeconds = 2;
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/oauth-expiry'),
      filter: { eventTypes: ['expiry.*'] },
      auth: auth({ scope: 'expiry' }),
    });
    await sendAcme(api.url!, 'expiry_0', 'expiry.call');
    await succeeded(endpoint.id, 1);
    const first = receiver.requestsTo('/oauth-expiry')[0].headers.authorization as string;
    await waitFor(() => oauth.hasExpired(first.slice('Bearer '.length)), {
      timeoutMs: 5_000,
      what: 'the first token to expire',
    });

    await sendAcme(api.url!, 'expiry_1', 'expiry.call');
    await succeeded(endpoint.id, 2);
    const received = receiver.requestsTo('/oauth-expiry');
    expect(received).toHaveLength(2);
    expect(received[1].headers.authorization).not.toBe(first);
    expect(oauth.requests.filter((request) => request.scope === 'expiry')).toHaveLength(2);
    oauth.lifetimeSeconds = 3600;
  });

  it('a wrong client secret: the attempt fails at the token endpoint, nothing reaches the receiver, the secret is nowhere', async () => {
    const wrong = 'not-the-client-secret-55aa';
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/oauth-wrong'),
      filter: { eventTypes: ['wrong.*'] },
      maxAttempts: 1,
      auth: auth({ clientSecret: wrong }),
    });
    const eventId = await sendAcme(api.url!, 'wrong_0', 'wrong.call');
    const delivery = await waitForDeadLetter(prisma, eventId, endpoint.id, 20_000);
    expect(delivery.attempts[0]).toMatchObject({
      errorClass: 'OAuth2TokenError',
      responseStatus: null,
      error: expect.stringContaining('answered 401 (invalid_client)'),
    });
    expect(JSON.stringify(delivery)).not.toContain(wrong);
    expect(receiver.requestsTo('/oauth-wrong')).toHaveLength(0);
    expect(worker.text).not.toContain(wrong);
  });
});
