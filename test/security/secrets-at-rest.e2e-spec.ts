import { randomBytes } from 'node:crypto';
import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const BEARER_TOKEN = 'bearer-token-sealed-at-rest';

/** Contract §6.1 SECRETS_ENCRYPTION_KEY: integration and endpoint secrets are stored encrypted (AES-256-GCM). */
describe('secrets at rest', () => {
  let receiver: TestReceiver;
  let app: TestApp | undefined;
  let database: TestApp['database'] | undefined;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await receiver?.close();
  });

  /** Every value of every secret column, as stored. */
  const storedSecrets = async (prisma: PrismaService) => {
    const rows = await prisma.$queryRaw<{ value: string }[]>`
      SELECT secret AS value FROM integrations UNION ALL SELECT previous_secret FROM integrations WHERE previous_secret IS NOT NULL
      UNION ALL SELECT secret FROM endpoints UNION ALL SELECT previous_secret FROM endpoints WHERE previous_secret IS NOT NULL
      UNION ALL SELECT auth FROM endpoints WHERE auth IS NOT NULL`;
    return rows.map((row) => row.value);
  };

  const boot = async (env: Record<string, string>) => {
    await app?.close();
    app = await startTestApp({ role: 'all', database, env: { ACME_WEBHOOK_SECRET: ACME_SECRET, ...env } });
    database = app.database;
    return app;
  };

  it('seals clear secrets at the next boot, keeps delivering, and survives a key rotation', async () => {
    const first = await boot({});
    const endpoint = await createEndpoint(first.url!, {
      url: receiver.url('/sealed'),
      filter: { eventTypes: ['sealed.*'] },
      auth: { type: 'bearer', token: BEARER_TOKEN },
    });
    const clear = await storedSecrets(first.app.get(PrismaService));
    expect(clear).toEqual(expect.arrayContaining([ACME_SECRET, endpoint.secret]));
    expect(clear.some((value) => value.includes(BEARER_TOKEN))).toBe(true);

    const key = randomBytes(32).toString('base64');
    const second = await boot({ SECRETS_ENCRYPTION_KEY: key });
    const sealed = await storedSecrets(second.app.get(PrismaService));
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    for (const value of sealed) {
      expect(value).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      expect(value).not.toContain(ACME_SECRET);
      expect(value).not.toContain(endpoint.secret.slice(6));
      expect(value).not.toContain(BEARER_TOKEN);
    }
    const eventId = await sendAcme(second.url!, 'sealed_1', 'sealed.event');
    await waitFor(() => receiver.requestsTo('/sealed').length === 1, { what: 'the delivery' });
    expect(verifyDelivery(receiver.requestsTo('/sealed')[0], endpoint.secret).id).toBe(eventId);

    // Rotation: the new key seals, the old one (named as previous) still opens until everything is re-sealed.
    const third = await boot({
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SECRETS_ENCRYPTION_PREVIOUS_KEYS: key,
    });
    const resealed = await storedSecrets(third.app.get(PrismaService));
    expect(new Set(resealed.map((value) => value.split(':')[2])).size).toBe(1);
    expect(resealed.every((value, index) => value !== sealed[index])).toBe(true);
    await sendAcme(third.url!, 'sealed_2', 'sealed.event');
    await waitFor(() => receiver.requestsTo('/sealed').length === 2, { what: 'the delivery after rotation' });
    expect(verifyDelivery(receiver.requestsTo('/sealed')[1], endpoint.secret).type).toBe('sealed.event');
  });
});
