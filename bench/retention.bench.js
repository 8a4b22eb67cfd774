// Data lifecycle at scale, every figure against a baseline measured in the same run. Prints; asserts nothing.
//   1. ingest with 0 stored events (the baseline) vs with BENCH_RETENTION_EVENTS (1,000,000) stored events;
//   2. ingest while the retention job purges those events (all expired: 40 days old, delivered, one delivery and
//      one attempt each, with their raw requests) vs ingest idle at the same size: p99 ratio, and purge rate;
//   3. disk per event, measured on the events this run ingested for real (raw request, event, indexes) plus the
//      filled deliveries and attempts, extrapolated to 10,000,000 events.
// Ingest: autocannon, BENCH_CONNECTIONS (20) connections, BENCH_ROUND_SECONDS (10) per round, Stripe-signed events
// to a real `api`; a real `worker` runs throughout (fan-outs), with retention off (3650d) or on (30d).
const crypto = require('node:crypto');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const Stripe = require('stripe');
const { benchDatabase, startHookgate, waitUntil, fmt } = require('./support/harness');

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS || 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS || 10);
const STRIPE_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const stripe = new Stripe('sk_test_bench');
const TABLES = ['events', 'raw_webhooks', 'deliveries', 'delivery_attempts'];

let sequence = 0;
function stripeEvent() {
  sequence += 1;
  return JSON.stringify({
    id: `evt_ret_${process.pid}_${sequence}`,
    object: 'event',
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `in_${sequence}`,
        object: 'invoice',
        amount_paid: 1999,
        currency: 'eur',
        customer: `cus_${sequence % 1000}`,
        metadata: { note: 'x'.repeat(900) },
      },
    },
  });
}

async function ingestRound(api) {
  const result = await autocannon({
    url: `${api.url}/webhooks/stripe`,
    connections: CONNECTIONS,
    duration: ROUND_SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest(request) {
          const payload = stripeEvent();
          request.body = payload;
          request.headers = {
            'content-type': 'application/json',
            'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }),
          };
          return request;
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** Expired events (40 days old, delivered) with a raw request, one delivery and one attempt each, 100,000 a statement. */
async function fill(pool, endpointId) {
  const {
    rows: [integration],
  } = await pool.query(`SELECT id FROM integrations WHERE slug = 'stripe'`);
  for (let done = 0; done < EVENTS; done += 100_000) {
    const count = Math.min(100_000, EVENTS - done);
    await pool.query(
      `WITH rows AS (
         SELECT gen_random_uuid() AS event_id, gen_random_uuid() AS raw_id, gen_random_uuid() AS delivery_id, n,
                now() - interval '40 days' - (random() * interval '5 days') AS at
         FROM generate_series($2::int, $2::int + $3::int - 1) AS n
       ), raw AS (
         INSERT INTO raw_webhooks (id, integration_id, headers, body, received_at)
         SELECT raw_id, $1::uuid, '{"content-type": "application/json"}'::jsonb, convert_to('{"id": "old"}', 'UTF8'), at FROM rows
       ), ev AS (
         INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status, received_at, data,
                             updated_at, deliveries_succeeded)
         SELECT event_id, $1::uuid, raw_id, 'stripe', 'invoice.paid', 'old_' || n, 'old_' || n, 'delivered', at, jsonb_build_object('n', n), at, 1
         FROM rows
       ), d AS (
         INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, succeeded_at, created_at, updated_at)
         SELECT delivery_id, event_id, $4::uuid, 'succeeded', 1, at, at, at FROM rows
       )
       INSERT INTO delivery_attempts (id, delivery_id, number, url, request_headers, response_status, response_headers, response_body,
                                      outcome, duration_ms, started_at)
       SELECT gen_random_uuid(), delivery_id, 1, 'https://receiver.example/hook',
              '{"webhook-id": "msg", "webhook-timestamp": "1", "webhook-signature": "[redacted]", "content-type": "application/json"}'::jsonb,
              200, '{"content-type": "text/plain"}'::jsonb, 'ok', 'succeeded', 40, at
       FROM rows`,
      [integration.id, done, count, endpointId],
    );
  }
  for (const table of TABLES) await pool.query(`VACUUM ANALYZE ${table}`);
  await pool.query('CHECKPOINT');
}

async function sizes(pool) {
  const { rows } = await pool.query(
    `SELECT relname, pg_total_relation_size(oid)::float8 AS bytes FROM pg_class WHERE relname = ANY($1)`,
    [TABLES],
  );
  return Object.fromEntries(rows.map((row) => [row.relname, row.bytes]));
}

async function main() {
  const db = await benchDatabase();
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const common = { DATABASE_URL: db.url, HOOKGATE_REDIS_PREFIX: db.name, STRIPE_WEBHOOK_SECRET: STRIPE_SECRET };
  const api = await startHookgate('api', common);
  const retentionOff = {
    ...common,
    RETENTION_RAW_AFTER: '3650d',
    RETENTION_EVENTS_AFTER: '3650d',
    RETENTION_AUDIT_AFTER: '3650d',
    RETENTION_INTERVAL: '1h',
  };
  let worker = await startHookgate('worker', retentionOff);
  try {
    await ingestRound(api); // warm-up
    const sizeBefore = await sizes(pool);
    const eventsBefore = Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
    const empty = await ingestRound(api);
    const sizeAfter = await sizes(pool);
    const ingested = Number((await pool.query('SELECT count(*) FROM events')).rows[0].count) - eventsBefore;

    // Disabled: the filled deliveries point at it, but new events fan out to no endpoint, as in the 0-stored round.
    const {
      rows: [endpoint],
    } = await pool.query(
      `INSERT INTO endpoints (id, url, secret, enabled, updated_at) VALUES (gen_random_uuid(), 'https://receiver.example/hook', 'whsec_x', false, now()) RETURNING id`,
    );
    const filling = performance.now();
    await fill(pool, endpoint.id);
    const fillSeconds = (performance.now() - filling) / 1000;
    const filled = await sizes(pool);

    const idle = await ingestRound(api);
    await worker.stop();
    const purgeStarted = performance.now();
    worker = await startHookgate('worker', {
      ...common,
      RETENTION_RAW_AFTER: '7d',
      RETENTION_EVENTS_AFTER: '30d',
      RETENTION_INTERVAL: '5s',
    });
    const oldLeft = async () =>
      Number((await pool.query(`SELECT count(*) FROM events WHERE external_id LIKE 'old_%'`)).rows[0].count);
    await waitUntil(async () => (await oldLeft()) < EVENTS, 'the retention run to start', 120_000);
    const during = await ingestRound(api);
    let remaining = await oldLeft();
    while (remaining > 0 && performance.now() - purgeStarted < 30 * 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      remaining = await oldLeft();
    }
    const purgeSeconds = (performance.now() - purgeStarted) / 1000;

    console.log(
      `retention and scale: ${fmt(EVENTS)} expired events filled in ${fmt(fillSeconds)} s; ${CONNECTIONS} connections, rounds of ${ROUND_SECONDS} s`,
    );
    console.log(
      `  ingest, 0 stored events (baseline):       ${fmt(empty.rps)} req/s  p50 ${empty.p50} ms  p99 ${empty.p99} ms  errors ${empty.errors}`,
    );
    console.log(
      `  ingest, ${fmt(EVENTS)} stored events:         ${fmt(idle.rps)} req/s  p50 ${idle.p50} ms  p99 ${idle.p99} ms  errors ${idle.errors}`,
    );
    console.log(
      `  ingest while retention purges them:       ${fmt(during.rps)} req/s  p50 ${during.p50} ms  p99 ${during.p99} ms  errors ${during.errors}`,
    );
    console.log(`  ratio req/s, ${fmt(EVENTS)} stored / 0 stored: ${fmt(idle.rps / empty.rps, 2)}`);
    console.log(
      `  ratio p99, during retention / idle at the same size: ${fmt(during.p99 / idle.p99, 2)} (req/s ${fmt(during.rps / idle.rps, 2)})`,
    );
    console.log(
      `  retention purged ${fmt(EVENTS - remaining)} events (+ deliveries, attempts, raw) in ${fmt(purgeSeconds)} s (worker boot included): ${fmt((EVENTS - remaining) / purgeSeconds)} events/s; left ${fmt(remaining)}`,
    );
    const perIngested =
      (sizeAfter.events + sizeAfter.raw_webhooks - sizeBefore.events - sizeBefore.raw_webhooks) / Math.max(1, ingested);
    const perDelivery =
      (filled.deliveries - sizeAfter.deliveries + filled.delivery_attempts - sizeAfter.delivery_attempts) / EVENTS;
    console.log(
      `  disk: ${fmt(perIngested)} B per ingested event (raw request + event + indexes, measured on ${fmt(ingested)} real ingests of ~1.2 KB)` +
        ` + ${fmt(perDelivery)} B per delivery with one attempt (measured on the ${fmt(EVENTS)} filled)`,
    );
    console.log(
      `  disk for 10,000,000 events with one delivery each, extrapolated: ${fmt(((perIngested + perDelivery) * 10_000_000) / 1024 ** 3, 1)} GiB`,
    );
  } finally {
    await pool.end();
    await Promise.all([api.stop(), worker.stop()]);
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
