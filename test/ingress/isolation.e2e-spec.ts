import { createHmac } from 'node:crypto';
import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET, postAcme } from '../delivery/support';
import { startTestApp, TestApp } from '../support/test-app';

/** Contract §6.2: a webhook's answer depends only on that webhook, even inside one batch. */
describe('ingress: one webhook never decides another one answer', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    prisma = app.app.get(PrismaService);
  });

  afterAll(() => app?.stop());

  const post = (body: string | Buffer) => postAcme(app.url!, body);

  it('30 good webhooks sent with one holding \\u0000 and one with a 3 KB id: 30 + 1 accepted, the long id 400', async () => {
    const good = Array.from({ length: 30 }, (_, index) =>
      JSON.stringify({ id: `iso_${index}`, type: 'order.created', data: { index } }),
    );
    // The escape is in the bytes as sent; jsonb cannot hold U+0000, the raw request keeps it.
    const withNul = '{"id":"iso_nul","type":"order.created","data":{"note":"a\\u0000b","k\\u0000ey":1}}';
    const longId = JSON.stringify({ id: 'x'.repeat(3_000), type: 'order.created' });
    const responses = await Promise.all([...good, withNul, longId].map((body) => post(body)));

    expect(responses.slice(0, 30).map((response) => response.status)).toEqual(Array(30).fill(202));
    expect(responses[30].status).toBe(202);
    expect(responses[31].status).toBe(400);
    expect(responses[31].body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('1024'),
    });

    const stored = await prisma.event.findUniqueOrThrow({
      where: { id: responses[30].body.eventId },
      include: { rawWebhook: true },
    });
    expect(Buffer.from(stored.rawWebhook!.body).toString('utf8')).toBe(withNul);
    expect(stored.data).toEqual({ id: 'iso_nul', type: 'order.created', data: { note: 'ab', key: 1 } });
    expect(await prisma.event.count({ where: { externalId: { startsWith: 'iso_' } } })).toBe(31);
  });

  it('refuses nesting deeper than 64 levels with 400 and accepts lone surrogates as U+FFFD', async () => {
    const deep = `{"id":"iso_deep","type":"t","data":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const refused = await post(deep).expect(400);
    expect(refused.body.message).toContain('nested deeper');

    const surrogate = '{"id":"iso_surrogate","type":"t","data":{"s":"\\ud800!"}}';
    const accepted = await post(surrogate).expect(202);
    const stored = await prisma.event.findUniqueOrThrow({ where: { id: accepted.body.eventId } });
    expect(stored.data).toEqual({ id: 'iso_surrogate', type: 't', data: { s: '\ufffd!' } });
  });

  it('bodies PostgreSQL would parse differently from JSON.parse are stored from the parsed payload, in one batch', async () => {
    // Stored from the raw bytes when jsonb reads them as JSON.parse does; from the parsed payload otherwise.
    const bodies = [
      '{"id":"iso_exp_big","type":"t","data":{"n":1e1000000}}', // numeric overflow in PostgreSQL, Infinity in JS
      '{"id":"iso_exp_small","type":"t","data":{"n":1e-1000000}}', // the same, 0 in JS
      Buffer.concat([
        Buffer.from('{"id":"iso_utf8","type":"t","data":{"s":"a'),
        Buffer.from([0xff]),
        Buffer.from('b"}}'),
      ]),
      '{"id":"iso_exact","type":"t","data":{"n":123456789012345678901234567890,"e":"eé\\/"}}',
    ];
    // fetch sends the bytes as they are (supertest would re-encode a Buffer).
    const responses = await Promise.all(
      bodies.map(async (body) => {
        const response = await fetch(`${app.url}/webhooks/acme`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-acme-signature': createHmac('sha256', ACME_SECRET).update(body).digest('hex'),
          },
          body,
        });
        return { status: response.status, body: (await response.json()) as { eventId: string } };
      }),
    );
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    const data = async (index: number) =>
      (await prisma.event.findUniqueOrThrow({ where: { id: responses[index].body.eventId } })).data;
    expect(await data(0)).toEqual({ id: 'iso_exp_big', type: 't', data: { n: null } });
    expect(await data(1)).toEqual({ id: 'iso_exp_small', type: 't', data: { n: 0 } });
    expect(await data(2)).toEqual({ id: 'iso_utf8', type: 't', data: { s: 'a\ufffdb' } });
    // From the bytes, a number keeps every digit (JSON.parse would have rounded it).
    const [exact] = await prisma.$queryRaw<{ n: string }[]>`
      SELECT data->'data'->>'n' AS n FROM events WHERE id = ${responses[3].body.eventId}::uuid`;
    expect(exact.n).toBe('123456789012345678901234567890');
  });

  it('an event type over 1,024 characters is 400 and stores nothing', async () => {
    await post(JSON.stringify({ id: 'iso_type', type: 't'.repeat(1_025) })).expect(400);
    expect(await prisma.event.count({ where: { externalId: 'iso_type' } })).toBe(0);
  });
});
