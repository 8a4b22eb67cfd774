import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from '../support/database';
import { HookgateProcess } from '../support/hookgate-process';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { waitFor } from '../support/wait';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  role: string;
  attributes: Record<string, unknown>;
  linkedTraceIds: string[];
}

/** A stand-in for Jaeger's OTLP/HTTP receiver: decodes the JSON the exporter posts to /v1/traces. */
async function startCollector(): Promise<{ server: Server; port: number; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const role = resourceSpans.resource.attributes.find(
          (attribute: { key: string }) => attribute.key === 'hookgate.role',
        )?.value.stringValue;
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries(
              span.attributes.map((attribute: { key: string; value: Record<string, unknown> }) => [
                attribute.key,
                Object.values(attribute.value)[0],
              ]),
            );
            spans.push({
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              role,
              attributes,
              linkedTraceIds: (span.links ?? []).map((link: { traceId: string }) => link.traceId),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port, spans };
}

describe('one trace per event, from the webhook to the last delivery attempt', () => {
  const SECRET = 'acme-trace-secret-0123';
  let database: TestDatabase;
  let receiver: TestReceiver;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  const processes: HookgateProcess[] = [];

  beforeAll(async () => {
    [database, receiver, collector] = await Promise.all([createTestDatabase(), TestReceiver.start(), startCollector()]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop('SIGKILL')));
    await receiver?.close();
    await new Promise((resolve) => collector?.server.close(resolve));
    await database?.drop();
  });

  it('api and worker spans share the ingress trace id, in the right parent/child shape', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: `trace-${port}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ADMIN_API_KEY: 'trace-test-admin-key-0123456789',
      ACME_WEBHOOK_SECRET: SECRET,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_RETRY_SCHEDULE: '100ms',
      LOG_LEVEL: 'warn',
      PORT: String(port),
    };
    processes.push(HookgateProcess.spawn(['api'], env), HookgateProcess.spawn(['worker'], env));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await request(baseUrl).get('/health/ready')).status === 200, {
      timeoutMs: 30_000,
      what: 'the api',
    });
    await request(baseUrl)
      .post('/api/v1/endpoints')
      .set('authorization', `Bearer ${env.ADMIN_API_KEY}`)
      .send({ url: receiver.url('/traced') })
      .expect(201);
    receiver.respondWith((_request, index) => ({ status: index === 0 ? 500 : 200 }));

    const body = JSON.stringify({ id: 'traced_1', type: 'order.created' });
    const accepted = await request(baseUrl)
      .post('/webhooks/acme')
      .set('x-acme-signature', createHmac('sha256', SECRET).update(body).digest('hex'))
      .send(body)
      .expect(202);
    await waitFor(() => receiver.requestsTo('/traced').length === 2, {
      timeoutMs: 15_000,
      what: 'one retry then success',
    });

    const attempts = await waitFor(
      () => {
        const found = collector.spans.filter((span) => span.name === 'delivery.attempt');
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 15_000, what: 'both attempt spans' },
    );
    const byName = (name: string) => collector.spans.filter((span) => span.name === name);
    const [server] = byName('POST /webhooks/:integration');
    const [persist] = byName('ingress.persist');
    const [verify] = byName('ingress.verify');
    expect(server).toMatchObject({ role: 'api', parentSpanId: undefined });
    expect(verify.traceId).toBe(server.traceId);
    expect(persist.traceId).toBe(server.traceId);
    // The ingress creates the deliveries in its commit: each attempt is a child of that write.
    expect(byName('process-event')).toEqual([]);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ role: 'worker', traceId: server.traceId, parentSpanId: persist.spanId });
      expect(attempt.attributes['hookgate.event_id']).toBe(accepted.body.eventId);
    }
    expect(attempts.map((attempt) => Number(attempt.attributes['http.response.status_code'])).sort()).toEqual([
      200, 500,
    ]);
    expect(JSON.stringify(collector.spans)).not.toContain(SECRET);

    // A replay runs in the operator's own trace and links back to the event's original one.
    await request(baseUrl)
      .post(`/api/v1/events/${accepted.body.eventId}/replay`)
      .set('authorization', `Bearer ${env.ADMIN_API_KEY}`)
      .send({ reason: 'trace check' })
      .expect(202);
    const replayed = await waitFor(
      () => collector.spans.find((span) => span.name === 'delivery.attempt' && span.linkedTraceIds.length > 0),
      { timeoutMs: 15_000, what: 'the replayed attempt span' },
    );
    expect(replayed.linkedTraceIds).toEqual([server.traceId]);
    expect(replayed.traceId).not.toBe(server.traceId);
  });
});
