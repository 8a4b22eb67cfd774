import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from '../support/database';
import { HookgateProcess } from '../support/hookgate-process';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery } from './support';

const WEBHOOKS = 300;

/**
 * The deployment the contract allows: several `api` and `worker` processes on one PostgreSQL and one Redis. Two
 * apis share the ingress, three workers share the deliveries; a tenth of the first answers fail, so retries cross
 * workers too. Every event reaches the receiver exactly once, and PostgreSQL records exactly the attempts it saw.
 */
describe('2 api and 3 worker processes on one PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let receiver: TestReceiver;
  const processes: HookgateProcess[] = [];
  const apiUrls: string[] = [];

  const spawn = async (role: 'api' | 'worker') => {
    const port = await freePort();
    const child = HookgateProcess.spawn([role], {
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: `hgmulti-${database.name}`,
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      ACME_WEBHOOK_SECRET: ACME_SECRET,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_RETRY_SCHEDULE: '200ms,400ms,800ms',
      ...(role === 'api' ? { PORT: String(port) } : { WORKER_HEALTH_PORT: String(port) }),
      LOG_LEVEL: 'warn',
    });
    processes.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        request(url)
          .get('/health/ready')
          .then((response) => response.status === 200),
      { timeoutMs: 25_000, intervalMs: 200, what: `the ${role} process to be ready` },
    );
    return url;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await TestReceiver.start();
    apiUrls.push(await spawn('api'), await spawn('api'));
    await Promise.all([spawn('worker'), spawn('worker'), spawn('worker')]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop('SIGTERM')));
    await receiver?.close();
    await database?.drop();
  });

  it(`${WEBHOOKS} webhooks over both apis: each delivered exactly once, attempts as the receiver saw them`, async () => {
    const endpoint = await createEndpoint(apiUrls[0], { url: receiver.url('/multi') });
    const firstAnswerFails = new Set<string>();
    receiver.respondWith((received) => {
      const envelope = JSON.parse(received.body) as { data: { n: number } };
      const webhookId = String(received.headers['webhook-id']);
      if (envelope.data.n % 10 === 0 && !firstAnswerFails.has(webhookId)) {
        firstAnswerFails.add(webhookId);
        return { status: 503 };
      }
      return { status: 200 };
    });

    const eventIds: string[] = [];
    for (let batch = 0; batch < WEBHOOKS / 20; batch += 1) {
      eventIds.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, index) => {
            const n = batch * 20 + index;
            return sendAcme(apiUrls[n % 2], `multi_${n}`, 'multi.item', { n });
          }),
        )),
      );
    }
    expect(new Set(eventIds).size).toBe(WEBHOOKS);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await waitFor(
        async () => {
          const { rows } = await client.query(
            `SELECT count(*)::int AS n FROM deliveries WHERE status = 'succeeded' AND endpoint_id = $1`,
            [endpoint.id],
          );
          return rows[0].n === WEBHOOKS;
        },
        { timeoutMs: 45_000, intervalMs: 250, what: `${WEBHOOKS} successful deliveries` },
      );

      // Exactly once: each webhook-id got one 2xx answer (and the one failed first answer, when scripted).
      const received = receiver.requestsTo('/multi');
      const seenByWebhookId = new Map<string, number>();
      for (const item of received)
        seenByWebhookId.set(
          String(item.headers['webhook-id']),
          (seenByWebhookId.get(String(item.headers['webhook-id'])) ?? 0) + 1,
        );
      expect(seenByWebhookId.size).toBe(WEBHOOKS);
      expect(firstAnswerFails.size).toBe(WEBHOOKS / 10);
      for (const [webhookId, times] of seenByWebhookId)
        expect({ webhookId, times }).toEqual({ webhookId, times: firstAnswerFails.has(webhookId) ? 2 : 1 });
      expect(new Set(received.map((item) => verifyDelivery(item, endpoint.secret).id))).toEqual(new Set(eventIds));

      // Attempts in PostgreSQL match what the receiver saw, delivery by delivery.
      const { rows } = await client.query<{ id: string; attempt_count: number; recorded: number }>(
        `SELECT d.id::text, d.attempt_count, (SELECT count(*)::int FROM delivery_attempts a WHERE a.delivery_id = d.id) AS recorded
         FROM deliveries d WHERE d.endpoint_id = $1`,
        [endpoint.id],
      );
      expect(rows).toHaveLength(WEBHOOKS);
      for (const row of rows) {
        expect({ id: row.id, attempts: row.attempt_count, recorded: row.recorded }).toEqual({
          id: row.id,
          attempts: seenByWebhookId.get(row.id),
          recorded: seenByWebhookId.get(row.id),
        });
      }
      const { rows: events } = await client.query(
        `SELECT status::text, count(*)::int AS n FROM events GROUP BY status`,
      );
      expect(events).toEqual([{ status: 'delivered', n: WEBHOOKS }]);
    } finally {
      await client.end();
    }
  }, 60_000);
});
