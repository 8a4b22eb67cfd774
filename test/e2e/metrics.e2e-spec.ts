import { createHmac } from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import request from 'supertest';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { createEndpoint } from '../delivery/support';
import { someEvents } from '../operations/builders';
import { PrismaService } from '../../src/common/database/prisma.service';

const SECRET = 'acme-metrics-secret-01234';

type Family = {
  name: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[];
};

describe('GET /metrics', () => {
  let app: TestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({ role: 'all', env: { ACME_WEBHOOK_SECRET: SECRET } });
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  const scrape = async () =>
    parsePrometheusTextFormat((await request(app.url!).get('/metrics').expect(200)).text) as Family[];
  const value = (families: Family[], name: string, labels: Record<string, string> = {}) =>
    Number(
      families
        .find((family) => family.name === name)
        ?.metrics.find((metric) => Object.entries(labels).every(([key, wanted]) => metric.labels?.[key] === wanted))
        ?.value ?? 0,
    );
  const post = (body: string, signature = createHmac('sha256', SECRET).update(body).digest('hex')) =>
    request(app.url!).post('/webhooks/acme').set('x-acme-signature', signature).send(body);

  it('moves the ingress and delivery counters by exactly what happened', async () => {
    await createEndpoint(app.url!, { url: receiver.url('/m') });
    receiver.respondWith((_request, index) => ({ status: index === 0 ? 503 : 200 }));
    const before = await scrape();

    await post(JSON.stringify({ id: 'm1', type: 't' })).expect(202);
    await post(JSON.stringify({ id: 'm1', type: 't' })).expect(200);
    await post(JSON.stringify({ id: 'm2', type: 't' }), 'f'.repeat(64)).expect(401);
    await waitFor(() => receiver.requestsTo('/m').length === 2, { what: 'one retry and one success' });

    const after = await waitFor(
      async () => {
        const families = await scrape();
        return value(families, 'hookgate_delivery_attempts_total', { outcome: 'succeeded' }) -
          value(before, 'hookgate_delivery_attempts_total', { outcome: 'succeeded' }) ===
          1
          ? families
          : undefined;
      },
      { what: 'the success to be counted' },
    );
    const delta = (name: string, labels: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(delta('hookgate_ingress_requests_total', { integration: 'acme', outcome: 'accepted' })).toBe(1);
    expect(delta('hookgate_ingress_requests_total', { integration: 'acme', outcome: 'duplicate' })).toBe(1);
    expect(delta('hookgate_ingress_requests_total', { integration: 'acme', outcome: 'verification_failed' })).toBe(1);
    expect(delta('hookgate_delivery_attempts_total', { outcome: 'retryable' })).toBe(1);
    expect(delta('hookgate_delivery_retries_total', {})).toBe(1);
    expect(delta('hookgate_dead_letters_total', {})).toBe(0);
    const histogram = after.find((family) => family.name === 'hookgate_ingress_duration_seconds');
    // Only acme received webhooks in this app; the +Inf bucket counts every observation.
    expect(Number(histogram?.metrics[0]?.buckets?.['+Inf'])).toBeGreaterThanOrEqual(3);
    for (const name of [
      'hookgate_queue_jobs',
      'hookgate_queue_oldest_waiting_seconds',
      'hookgate_outbox_backlog',
      'hookgate_delivery_duration_seconds',
    ]) {
      expect(after.map((family) => family.name)).toContain(name);
    }
    // The job is marked completed in BullMQ just after the attempt is counted.
    await waitFor(
      async () => value(await scrape(), 'hookgate_queue_jobs', { queue: 'delivery', state: 'completed' }) === 1,
      { what: 'the completed delivery job in the queue gauge' },
    );
  });

  it('counts stored events by status (from PostgreSQL, at most every 30 s)', async () => {
    const fresh = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: SECRET } });
    try {
      await someEvents(fresh.app.get(PrismaService), 'acme').build(7);
      const families = parsePrometheusTextFormat(
        (await request(fresh.url!).get('/metrics').expect(200)).text,
      ) as Family[];
      expect(value(families, 'hookgate_events', { status: 'delivered' })).toBe(7);
      expect(value(families, 'hookgate_replays_active', { measure: 'requests' })).toBe(0);
    } finally {
      await fresh.stop();
    }
  });
});
