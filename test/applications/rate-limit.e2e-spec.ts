import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from '../support/database';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { freePort } from '../support/redis-server';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { waitFor } from '../support/wait';

const LIMIT = 5;
const BURST = 24;

/** Contract §7.1: an application's rateLimitPerSecond holds across api processes; other applications are unaffected. */
describe('per-application ingress rate limit across two api processes', () => {
  let database: TestDatabase;
  const processes: HookgateProcess[] = [];
  const apiUrls: string[] = [];

  const spawnApi = async () => {
    const port = await freePort();
    processes.push(
      HookgateProcess.spawn(['api'], {
        DATABASE_URL: database.url,
        REDIS_URL: process.env.REDIS_URL,
        HOOKGATE_REDIS_PREFIX: `hgappsrate-${database.name}`,
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        request(url)
          .get('/health/ready')
          .then((response) => response.status === 200),
      { timeoutMs: 25_000, intervalMs: 200, what: 'the api process to be ready' },
    );
    return url;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    apiUrls.push(await spawnApi(), await spawnApi());
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop('SIGTERM')));
    await database?.drop();
  });

  const secretOf = (uid: string) => `acme-secret-of-${uid}`;

  function send(url: string, uid: string, id: string) {
    const body = JSON.stringify({ id, type: 'order.created' });
    return request(url)
      .post(`/webhooks/${uid}/acme`)
      .set('content-type', 'application/json')
      .set('x-acme-signature', createHmac('sha256', secretOf(uid)).update(body).digest('hex'))
      .send(body);
  }

  it(`answers 429 with Retry-After above ${LIMIT}/s for that application only, whichever api is asked`, async () => {
    for (const [uid, limit] of [
      ['limited', { rateLimitPerSecond: LIMIT }],
      ['unlimited', {}],
    ] as const) {
      await adminApi(apiUrls[0])
        .post('/applications', { uid, name: uid, ...limit })
        .expect(201);
      await adminApi(apiUrls[0])
        .post('/integrations', { application: uid, slug: 'acme', provider: 'acme', secret: secretOf(uid) })
        .expect(201);
    }

    // Both applications at once, every other request through the other api process.
    const [limited, unlimited] = await Promise.all(
      ['limited', 'unlimited'].map((uid) =>
        Promise.all(Array.from({ length: BURST }, (_, index) => send(apiUrls[index % 2], uid, `${uid}_${index}`))),
      ),
    );
    expect(unlimited.map((response) => response.status)).toEqual(Array(BURST).fill(202));
    const accepted = limited.filter((response) => response.status === 202);
    const refused = limited.filter((response) => response.status === 429);
    expect(accepted.length + refused.length).toBe(BURST);
    // One budget for both processes: one window's worth, or two if the burst straddled a window's end.
    expect(accepted.length).toBeGreaterThanOrEqual(LIMIT);
    expect(accepted.length).toBeLessThanOrEqual(2 * LIMIT);
    for (const response of refused) {
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    }
    // Refused webhooks were not stored.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const stored = await client.query<{ count: string }>(
        "SELECT count(*) FROM events WHERE external_id LIKE 'limited\\_%'",
      );
      expect(Number(stored.rows[0].count)).toBe(accepted.length);
    } finally {
      await client.end();
    }
  });
});
