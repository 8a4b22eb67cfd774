import { Webhook } from 'standardwebhooks';
import { PrismaService } from '../../src/common/database/prisma.service';
import { startControlsCluster, stopControlsCluster } from '../controls/support';
import { HookgateProcess, waitUntilReady } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { createEndpoint, sendAcme } from './support';

/** Whether a receiver holding only `secret` accepts the delivery, as the Standard Webhooks library decides. */
function verifiesWith(received: ReceivedRequest, secret: string): boolean {
  try {
    new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

function signaturesOf(received: ReceivedRequest): string[] {
  return String(received.headers['webhook-signature']).split(' ');
}

/** Contract §7.6: outbound secret rotation with a grace period, signed by a real worker process. */
describe('outbound secret rotation', () => {
  let app: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    const healthPort = await freePort();
    ({
      api: app,
      worker,
      receiver,
      prisma,
    } = await startControlsCluster({
      workerEnv: { WORKER_HEALTH_PORT: String(healthPort) },
    }));
    await waitUntilReady(healthPort);
  });

  afterAll(async () => {
    await stopControlsCluster({ api: app, worker, receiver });
  });

  /** Sends one acme event of its own type (only the endpoint at `path` subscribes) and returns what arrived. */
  async function deliverOne(path: string, type: string, id: string): Promise<ReceivedRequest> {
    const eventId = await sendAcme(app.url!, id, type);
    return waitFor(() => receiver.requestsTo(path).find((request) => JSON.parse(request.body).id === eventId), {
      timeoutMs: 15_000,
      what: `the delivery of ${id} to ${path}`,
    });
  }

  it('signs with the new and the old secret during the grace period, then with the new one only', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/grace'),
      filter: { eventTypes: ['rotation.grace'] },
    });
    const rotated = await adminApi(app.url!)
      .post(`/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 4 })
      .expect(200);
    const oldSecret = endpoint.secret;
    const newSecret: string = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    const row = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    // The endpoint's reads say until when the previous secret signs too, and never show either secret.
    const read = await adminApi(app.url!).get(`/endpoints/${endpoint.id}`).expect(200);
    expect(read.body.previousSecretExpiresAt).toBe(row.previousSecretExpiresAt!.toISOString());
    expect(JSON.stringify(read.body)).not.toContain(oldSecret);

    const during = await deliverOne('/grace', 'rotation.grace', 'grace_during');
    expect(signaturesOf(during)).toHaveLength(2);
    expect(signaturesOf(during).every((signature) => signature.startsWith('v1,'))).toBe(true);
    // A receiver that has only the old secret and one that has only the new one both accept it.
    expect(verifiesWith(during, oldSecret)).toBe(true);
    expect(verifiesWith(during, newSecret)).toBe(true);

    await waitFor(() => Date.now() > row.previousSecretExpiresAt!.getTime(), {
      timeoutMs: 6_000,
      what: 'the end of the grace period',
    });
    const after = await deliverOne('/grace', 'rotation.grace', 'grace_after');
    expect(
      (await adminApi(app.url!).get(`/endpoints/${endpoint.id}`).expect(200)).body.previousSecretExpiresAt,
    ).toBeNull();
    expect(signaturesOf(after)).toHaveLength(1);
    expect(verifiesWith(after, newSecret)).toBe(true);
    expect(verifiesWith(after, oldSecret)).toBe(false);
  });

  it('without a grace period (the default) only the new secret signs, at once', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/instant'),
      filter: { eventTypes: ['rotation.instant'] },
    });
    const rotated = await adminApi(app.url!).post(`/endpoints/${endpoint.id}/rotate-secret`).expect(200);

    const delivered = await deliverOne('/instant', 'rotation.instant', 'instant_1');
    expect(signaturesOf(delivered)).toHaveLength(1);
    expect(verifiesWith(delivered, rotated.body.secret)).toBe(true);
    expect(verifiesWith(delivered, endpoint.secret)).toBe(false);
    const row = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.previousSecret).toBeNull();
    expect(rotated.body.previousSecretExpiresAt).toBeNull();
    const audit = await prisma.auditEntry.findFirstOrThrow({
      where: { subjectId: endpoint.id, action: 'endpoint.secret_rotated' },
    });
    expect(audit.details).toEqual({ gracePeriodSeconds: 0 });
  });

  it('a second rotation within a grace period signs with the two newest secrets only', async () => {
    const endpoint = await createEndpoint(app.url!, {
      url: receiver.url('/twice'),
      filter: { eventTypes: ['rotation.twice'] },
    });
    const second = await adminApi(app.url!)
      .post(`/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 3600 })
      .expect(200);
    const third = await adminApi(app.url!)
      .post(`/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 3600 })
      .expect(200);

    const delivered = await deliverOne('/twice', 'rotation.twice', 'twice_1');
    expect(signaturesOf(delivered)).toHaveLength(2);
    expect(verifiesWith(delivered, third.body.secret)).toBe(true);
    expect(verifiesWith(delivered, second.body.secret)).toBe(true);
    expect(verifiesWith(delivered, endpoint.secret)).toBe(false);
  });

  it.each([
    [{ gracePeriodSeconds: -1 }],
    [{ gracePeriodSeconds: 604_801 }],
    [{ gracePeriodSeconds: '60' }],
    [{ grace: 60 }],
  ])('refuses %j with 400 and leaves the secret as it was', async (body) => {
    const endpoint = await createEndpoint(app.url!, { url: receiver.url('/refused') });
    const response = await adminApi(app.url!).post(`/endpoints/${endpoint.id}/rotate-secret`, body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const row = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.previousSecret).toBeNull();
    expect(
      await prisma.auditEntry.count({ where: { subjectId: endpoint.id, action: 'endpoint.secret_rotated' } }),
    ).toBe(0);
  });
});
