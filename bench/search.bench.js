// Event search over BENCH_SEARCH_EVENTS (1,000,000) stored events: GET /events of a real `api` process with each of
// the common filters, newest first, 50 a page, against a baseline of the same rows read by one indexed SQL query
// straight through node-postgres (the floor the database sets). p50/p95 over BENCH_SEARCH_REQUESTS (200) requests
// per filter, and the ratio of the p95s. Prints figures; asserts nothing.
const crypto = require('node:crypto');
const { Pool } = require('pg');
const { benchDatabase, startHookgate, fmt } = require('./support/harness');

const EVENTS = Number(process.env.BENCH_SEARCH_EVENTS || 1_000_000);
const REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS || 200);
const ADMIN_KEY = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
const TYPES = [
  'invoice.paid',
  'invoice.payment_failed',
  'customer.created',
  'charge.refunded',
  'payment_intent.succeeded',
];
const STATUSES = ['delivered', 'delivered', 'delivered', 'failed', 'partially_delivered', 'no_subscribers'];

/** Events spread over the last 30 days across the five built-in integrations, in 100,000-row statements. */
async function fill(pool) {
  const { rows: integrations } = await pool.query('SELECT id, provider FROM integrations ORDER BY slug');
  for (let done = 0; done < EVENTS; done += 100_000) {
    const count = Math.min(100_000, EVENTS - done);
    await pool.query(
      `WITH rows AS (
         SELECT gen_random_uuid() AS event_id, gen_random_uuid() AS raw_id, n,
                now() - (random() * interval '30 days') AS at, ($1::uuid[])[1 + n % array_length($1::uuid[], 1)] AS integration_id,
                ($2::text[])[1 + n % array_length($2::text[], 1)] AS provider
         FROM generate_series($3::int, $3::int + $4::int - 1) AS n
       ), raw AS (
         INSERT INTO raw_webhooks (id, integration_id, headers, body, received_at)
         SELECT raw_id, integration_id, '{}'::jsonb, convert_to('{}', 'UTF8'), at FROM rows
       )
       INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status, received_at, data, updated_at)
       SELECT event_id, integration_id, raw_id, provider, ($5::text[])[1 + (n * 7) % 5], 'evt_' || n, 'evt_' || n,
              (($6::text[])[1 + (n * 13) % 6])::"EventStatus", at, jsonb_build_object('n', n), now()
       FROM rows`,
      [integrations.map((row) => row.id), integrations.map((row) => row.provider), done, count, TYPES, STATUSES],
    );
  }
  await pool.query('VACUUM ANALYZE events');
  await pool.query('VACUUM ANALYZE raw_webhooks');
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(times, work) {
  const durations = [];
  for (let index = 0; index < times; index += 1) {
    const started = performance.now();
    await work(index);
    durations.push(performance.now() - started);
  }
  return { p50: percentile(durations, 50), p95: percentile(durations, 95) };
}

async function main() {
  const db = await benchDatabase();
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const api = await startHookgate('api', {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: db.name,
    ADMIN_API_KEY: ADMIN_KEY,
    MANAGEMENT_RATE_LIMIT_PER_MINUTE: '1000000',
    ...Object.fromEntries(
      [
        'STRIPE_WEBHOOK_SECRET',
        'GITHUB_WEBHOOK_SECRET',
        'PAYPAL_WEBHOOK_ID',
        'ACME_WEBHOOK_SECRET',
        'GLOBEX_WEBHOOK_TOKEN',
      ].map((name) => [name, `bench-${crypto.randomBytes(8).toString('hex')}`]),
    ),
  });
  try {
    const started = Date.now();
    await fill(pool);
    console.log(
      `search: ${EVENTS} events stored in ${((Date.now() - started) / 1000).toFixed(0)} s; ${REQUESTS} requests per filter, 50 a page`,
    );
    const filters = [
      ['type', (i) => ({ type: TYPES[i % 5] }), (i) => ['e.type = $1', [TYPES[i % 5]]]],
      [
        'status',
        (i) => ({ status: STATUSES[3 + (i % 3)] }),
        (i) => ['e.status = $1::"EventStatus"', [STATUSES[3 + (i % 3)]]],
      ],
      ['integration', () => ({ integration: 'stripe' }), () => ['i.slug = $1', ['stripe']]],
      ['externalId', (i) => ({ externalId: `evt_${i * 4999}` }), (i) => ['e.external_id = $1', [`evt_${i * 4999}`]]],
      [
        'type + one day',
        (i) => ({
          type: TYPES[i % 5],
          from: new Date(Date.now() - 2 * 86_400_000).toISOString(),
          to: new Date(Date.now() - 86_400_000).toISOString(),
        }),
        (i) => [
          'e.type = $1 AND e.received_at >= $2 AND e.received_at < $3',
          [TYPES[i % 5], new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 86_400_000)],
        ],
      ],
    ];
    for (const [name, query, sql] of filters) {
      const api95 = await timed(REQUESTS, async (i) => {
        const response = await fetch(`${api.url}/api/v1/events?${new URLSearchParams({ ...query(i), limit: '50' })}`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        if (response.status !== 200) throw new Error(`GET /events answered ${response.status}`);
        await response.arrayBuffer();
      });
      const base = await timed(REQUESTS, async (i) => {
        const [where, values] = sql(i);
        await pool.query(
          `SELECT e.id, i.slug, e.provider, e.type, e.external_id, e.status, e.occurred_at, e.received_at
                          FROM events e JOIN integrations i ON i.id = e.integration_id WHERE ${where}
                          ORDER BY e.received_at DESC, e.id DESC LIMIT 51`,
          values,
        );
      });
      console.log(
        `  ${name.padEnd(16)} GET /events p50 ${fmt(api95.p50, 1)} ms p95 ${fmt(api95.p95, 1)} ms | SQL alone p50 ${fmt(base.p50, 1)} ms p95 ${fmt(base.p95, 1)} ms | p95 ratio ${fmt(api95.p95 / base.p95, 2)}`,
      );
    }
  } finally {
    await pool.end();
    await api.stop();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
