// Applications at scale (issue 27): ingest into BENCH_APPLICATIONS (1,000) applications of 3 endpoints each, as a
// ratio of the same load into one application of 3 endpoints, measured in the same run against the same real
// `node dist/main.js api` process, database and load generator, in alternating rounds:
//   one      = Stripe-signed unique events to POST /webhooks/stripe (the default application, 3 endpoints);
//   many     = the same events spread round-robin over POST /webhooks/<application>/stripe of every application.
// Each webhook is stored with its 3 deliveries and queues its jobs in both (no worker runs: the queues only grow).
// autocannon, BENCH_CONNECTIONS (50) connections, BENCH_ROUNDS (3) rounds of BENCH_ROUND_SECONDS (10) each.
const crypto = require('node:crypto');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const Stripe = require('stripe');
const { analyze, benchDatabase, checkpoint, startHookgate, fmt } = require('./support/harness');

const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS || 1000);
const ENDPOINTS_EACH = 3;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS || 10);
const STRIPE_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
const stripe = new Stripe('sk_test_bench');

let sequence = 0;
function stripeEvent() {
  sequence += 1;
  return {
    id: `evt_apps_${process.pid}_${sequence}`,
    payload: JSON.stringify({
      id: `evt_apps_${process.pid}_${sequence}`,
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      type: 'invoice.paid',
      data: { object: { id: `in_${sequence}`, object: 'invoice', amount_paid: 1999, currency: 'eur' } },
    }),
  };
}

const acknowledged = [];

/** Set in main(): the write-ahead log's position, to tell how many bytes of WAL each acknowledged webhook costs. */
let walPosition = null;

async function round(baseUrl, pathOf) {
  await checkpoint();
  const walBefore = await walPosition();
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: ROUND_SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest(request, context) {
          const event = stripeEvent();
          context.id = event.id;
          request.path = pathOf(sequence);
          request.body = event.payload;
          request.headers = {
            'content-type': 'application/json',
            'stripe-signature': stripe.webhooks.generateTestHeaderString({
              payload: event.payload,
              secret: STRIPE_SECRET,
            }),
          };
          return request;
        },
        onResponse(status, _body, context) {
          if (status >= 200 && status < 300) acknowledged.push(context.id);
        },
      },
    ],
  });
  const walBytes = Number(await walPosition()) - Number(walBefore);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    walPerWebhook: walBytes / Math.max(1, result['2xx']),
  };
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel(items, width, work) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (queue.length) await work(queue.shift());
    }),
  );
}

async function main() {
  const db = await benchDatabase();
  const api = await startHookgate('api', {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: db.name,
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    ADMIN_API_KEY: ADMIN_KEY,
    // The setup makes about 5 management requests per application with one key.
    MANAGEMENT_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  walPosition = async () =>
    (await pool.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS at`)).rows[0].at;
  const post = async (path, body) => {
    const response = await fetch(`${api.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  };
  try {
    const started = Date.now();
    for (let n = 0; n < ENDPOINTS_EACH; n += 1) await post('/endpoints', { url: `http://127.0.0.1:9/one-${n}` });
    const uids = Array.from({ length: APPLICATIONS }, (_, n) => `bench-${n}`);
    await inParallel(uids, 8, async (uid) => {
      await post('/applications', { uid, name: uid });
      await post('/integrations', { application: uid, slug: 'stripe', provider: 'stripe', secret: STRIPE_SECRET });
      for (let n = 0; n < ENDPOINTS_EACH; n += 1)
        await post('/endpoints', { application: uid, url: `http://127.0.0.1:9/${uid}-${n}` });
    });
    const setupSeconds = (Date.now() - started) / 1000;

    const one = () => '/webhooks/stripe';
    const many = (n) => `/webhooks/${uids[n % APPLICATIONS]}/stripe`;
    const results = { one: [], many: [] };
    // Warm both paths (JIT, caches of every application's integration and endpoints) before measuring.
    await round(api.url, one);
    await round(api.url, many);
    await analyze(db.url);
    for (let index = 0; index < ROUNDS; index += 1) {
      results.one.push(await round(api.url, one));
      results.many.push(await round(api.url, many));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = (list) => ({
      rps: median(list.map((r) => r.rps)),
      p99: median(list.map((r) => r.p99)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      walPerWebhook: median(list.map((r) => r.walPerWebhook)),
    });
    const o = summary(results.one);
    const m = summary(results.many);
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM events WHERE external_id = ANY($1))::int AS events,
              (SELECT count(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.external_id = ANY($1))::int AS deliveries`,
      [acknowledged],
    );
    console.log(
      `applications: ingest into ${APPLICATIONS} applications of ${ENDPOINTS_EACH} endpoints each against one application of ${ENDPOINTS_EACH}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s (medians; setup ${fmt(setupSeconds)} s)`,
    );
    const line = (r) =>
      `${fmt(r.rps)} req/s  p99 ${r.p99} ms  WAL ${fmt(r.walPerWebhook)} B per webhook  errors ${r.errors}`;
    console.log(`  one application:          ${line(o)}`);
    console.log(`  ${APPLICATIONS} applications:     ${line(m)}`);
    console.log(`  ratio many / one (req/s): ${fmt(m.rps / o.rps, 2)}`);
    console.log(
      `  acknowledged (2xx, warm-up included) and found stored: ${acknowledged.length} → ${rows[0].events} events, ${rows[0].deliveries} deliveries (${ENDPOINTS_EACH} each expected)`,
    );
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
