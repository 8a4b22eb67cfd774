import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { PrismaService } from '../../src/common/database/prisma.service';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';

/** How many generated hostile requests (FUZZ_REQUESTS raises it, e.g. for a longer run by hand). */
const REQUESTS = Number(process.env.FUZZ_REQUESTS || 3_000);
const ACME_SECRET = 'acme-fuzz-secret-0123456789';

interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const printable = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZabcxyz[]^_{|}~='.split('')), maxLength });
const jsonish = fc.oneof(
  fc.json(),
  fc.constant('{"id": "x", "type": '),
  fc.constant('not json at all'),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc
    .integer({ min: 1, max: 200 })
    .map((depth) => `{"id":"deep","type":"t","data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
  fc.string().map((text) => JSON.stringify({ id: text, type: text, data: { text } })),
  fc.constant('{"id":"nul\\u0000","type":"t\\u0000","data":"\\u0000"}'),
  fc.integer({ min: 1_025, max: 5_000 }).map((length) => JSON.stringify({ id: 'x'.repeat(length), type: 't' })),
);
const body = fc.oneof(
  jsonish.map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)), // invalid UTF-8 and NUL bytes
  fc.constant(Buffer.alloc(0)),
);
const signatureHeaders = fc.dictionary(
  fc.constantFrom(
    'stripe-signature',
    'x-hub-signature-256',
    'x-github-event',
    'x-github-delivery',
    'x-acme-signature',
    'x-globex-token',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'paypal-transmission-id',
    'paypal-transmission-time',
    'paypal-transmission-sig',
    'paypal-cert-url',
    'paypal-auth-algo',
    'content-type',
    'content-encoding',
    'authorization',
    'x-api-key',
    'idempotency-key',
    'x-forwarded-for',
  ),
  fc.oneof(
    printable(80),
    printable(8_000),
    fc.array(fc.constant('v1=abcdef'), { maxLength: 300 }).map((list) => `t=1,${list.join(',')}`),
  ),
);
const webhook = fc.record({
  method: fc.constant('POST'),
  path: fc
    .oneof(
      { arbitrary: fc.constantFrom('stripe', 'github', 'paypal', 'acme', 'globex'), weight: 4 },
      { arbitrary: printable(300), weight: 1 },
    )
    .map((slug) => `/webhooks/${encodeURIComponent(slug) || 'x'}`),
  headers: signatureHeaders,
  body,
});
const managementBody = fc.oneof(
  fc.json().map((text) => Buffer.from(text)),
  fc
    .record(
      {
        url: fc.oneof(fc.webUrl(), fc.string(), fc.constant(null), fc.integer()),
        filter: fc.anything(),
        enabled: fc.anything(),
        maxAttempts: fc.anything(),
        timeoutMs: fc.anything(),
        unknown: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .record(
      { reason: fc.anything(), filter: fc.anything(), dryRun: fc.anything(), deliveryIds: fc.anything() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .record(
      { slug: fc.anything(), provider: fc.anything(), secret: fc.anything(), rateLimitPerMinute: fc.anything() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
);
const management = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'),
  path: fc.oneof(
    fc.constantFrom(
      '/api/v1/endpoints',
      '/api/v1/integrations',
      '/api/v1/replays',
      '/api/v1/api-keys',
      '/api/v1/dead-letters/redrive',
      '/api/v1/events',
    ),
    fc
      .tuple(
        fc.constantFrom(
          '/api/v1/endpoints/',
          '/api/v1/integrations/',
          '/api/v1/events/',
          '/api/v1/replays/',
          '/api/v1/api-keys/',
        ),
        fc.oneof(fc.uuid(), printable(60)),
      )
      .map(([prefix, id]) => `${prefix}${encodeURIComponent(id)}`),
    fc
      .tuple(
        fc.constantFrom('cursor', 'limit', 'status', 'from', 'to', 'type', 'externalId'),
        fc.oneof(printable(200), fc.base64String({ maxLength: 200 })),
      )
      .map(([name, value]) => `/api/v1/events?${name}=${encodeURIComponent(value)}`),
  ),
  headers: fc.constant({ authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' }),
  body: managementBody,
});

/** Contract §6.2 and §6.4: hostile input gets a 4xx with the error body, never a 5xx, and stores nothing. */
describe('fuzzing the public edge and the management API', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: {
        ACME_WEBHOOK_SECRET: ACME_SECRET,
        STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
        GITHUB_WEBHOOK_SECRET: 'gh-fuzz',
        GLOBEX_WEBHOOK_TOKEN: 'globex-fuzz-token',
        MANAGEMENT_RATE_LIMIT_PER_MINUTE: '1000000',
        INGRESS_REJECTED_PER_IP_PER_MINUTE: '1000000',
      },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(() => app?.stop());

  const send = async (request: HostileRequest) => {
    const response = await fetch(`${app.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' || request.method === 'DELETE' ? undefined : request.body,
    });
    const text = await response.text();
    return { status: response.status, text };
  };

  it(`${REQUESTS} generated hostile requests while valid webhooks flow: no 5xx, nothing bad stored, every valid one 202`, async () => {
    const hostile = [
      ...fc.sample(webhook, Math.ceil(REQUESTS * 0.7)),
      ...fc.sample(management, Math.floor(REQUESTS * 0.3)),
    ] as HostileRequest[];
    const eventsBefore = await prisma.event.count();
    const failures: string[] = [];
    const valid: number[] = [];
    const statuses: Record<number, number> = {};
    for (let start = 0; start < hostile.length; start += 25) {
      const batch = hostile.slice(start, start + 25);
      const validBody = JSON.stringify({ id: `valid_${start}`, type: 'order.created' });
      const [validAnswer, ...answers] = await Promise.all([
        send({
          method: 'POST',
          path: '/webhooks/acme',
          headers: { 'x-acme-signature': createHmac('sha256', ACME_SECRET).update(validBody).digest('hex') },
          body: Buffer.from(validBody),
        }),
        ...batch.map((request) => send(request).catch((error: Error) => ({ status: -1, text: error.message }))),
      ]);
      valid.push(validAnswer.status);
      answers.forEach((answer, index) => {
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status >= 500)
          failures.push(
            `${batch[index].method} ${batch[index].path.slice(0, 80)} → ${answer.status} ${answer.text.slice(0, 200)}`,
          );
        if (answer.status >= 400 && answer.status < 500 && !answer.text.includes('"correlationId"'))
          failures.push(`${batch[index].path.slice(0, 80)} → ${answer.status} without the error body`);
      });
    }
    expect(failures).toEqual([]);
    // The generator reaches verification (401), validation (400) and the encoding check (415), not only 404s.
    expect(statuses).toMatchObject({ 400: expect.any(Number), 401: expect.any(Number), 415: expect.any(Number) });
    expect(new Set(valid)).toEqual(new Set([202]));
    // Only the valid webhooks became events (no hostile body verifies).
    expect(await prisma.event.count()).toBe(eventsBefore + valid.length);
  }, 120_000);
});
