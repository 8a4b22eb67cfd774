import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';

/** Provider `generic` (contract §6.2): internal producers that cannot sign, with a bearer key and Idempotency-Key. */
describe('ingress: generic provider', () => {
  const SECRET = 'internal-producer-key-0123456789';
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
    prisma = app.app.get(PrismaService);
    await adminApi(app.url!)
      .post('/integrations', { slug: 'billing-service', provider: 'generic', secret: SECRET })
      .expect(201);
  });

  afterAll(() => app?.stop());

  const post = (body: string, headers: Record<string, string>) => {
    const test = request(app.url!).post('/webhooks/billing-service').set('content-type', 'application/json');
    for (const [name, value] of Object.entries(headers)) test.set(name, value);
    return test.send(body);
  };

  it('accepts a bearer key or x-api-key; Idempotency-Key is the external id and deduplicates', async () => {
    const body = JSON.stringify({ type: 'invoice.issued', invoice: 42 });
    const first = await post(body, { authorization: `Bearer ${SECRET}`, 'idempotency-key': 'inv-42' }).expect(202);
    const again = await post(body, { 'x-api-key': SECRET, 'idempotency-key': 'inv-42' }).expect(200);
    expect(again.body).toEqual({ eventId: first.body.eventId, status: 'duplicate', duplicate: true });
    const event = await prisma.event.findUniqueOrThrow({ where: { id: first.body.eventId } });
    expect(event).toMatchObject({
      provider: 'generic',
      type: 'invoice.issued',
      externalId: 'inv-42',
      idempotencyKey: 'inv-42',
    });
  });

  it('without Idempotency-Key, the canonical-JSON hash of the body deduplicates', async () => {
    const first = await post('{"type":"invoice.voided","n":1,"m":2}', { authorization: `Bearer ${SECRET}` }).expect(
      202,
    );
    await post('{ "m": 2, "n": 1, "type": "invoice.voided" }', { authorization: `Bearer ${SECRET}` }).expect(200);
    expect((await prisma.event.findUniqueOrThrow({ where: { id: first.body.eventId } })).idempotencyKey).toMatch(
      /^sha256:/,
    );
  });

  it("orders by the message's orderingKey, else by the integration (§7.5); a key over 1,024 characters is 400", async () => {
    const keyed = await post('{"type":"invoice.paid","orderingKey":"customer-7"}', {
      authorization: `Bearer ${SECRET}`,
    }).expect(202);
    const unkeyed = await post('{"type":"invoice.paid","n":3}', { authorization: `Bearer ${SECRET}` }).expect(202);
    const list = (await adminApi(app.url!).get('/events?type=invoice.paid').expect(200)).body.data;
    const keyOf = (id: string) => list.find((event: { id: string }) => event.id === id).orderingKey;
    expect([keyOf(keyed.body.eventId), keyOf(unkeyed.body.eventId)]).toEqual(['customer-7', 'billing-service']);
    const tooLong = await post(JSON.stringify({ type: 'invoice.paid', orderingKey: 'k'.repeat(1025) }), {
      authorization: `Bearer ${SECRET}`,
    }).expect(400);
    expect(tooLong.body.message).toMatch(/ordering key is longer than 1024/);
  });

  it('refuses a missing or wrong key with 401, and a body without type with 400', async () => {
    await post('{"type":"x"}', {}).expect(401);
    await post('{"type":"x"}', { authorization: `Bearer ${SECRET}x` }).expect(401);
    await post('{"type":"x"}', { 'x-api-key': 'nope' }).expect(401);
    await post('{"kind":"x"}', { authorization: `Bearer ${SECRET}` }).expect(400);
  });
});
