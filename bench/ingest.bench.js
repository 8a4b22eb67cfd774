// Ingest throughput and latency, as a ratio against a minimal durable baseline measured in the same run, on the
// same PostgreSQL (fsync and synchronous_commit on) and Redis, with the same load generator:
//   baseline = bench/support/baseline-ingest-server.js: node:http, JSON.parse, one INSERT … ON CONFLICT DO NOTHING,
//              one BullMQ add, then 202;
//   hookgate = Stripe-signed unique events to POST /webhooks/stripe of a real `node dist/main.js api` process, with
//              one endpoint subscribed: each webhook is stored with its delivery and queues one job, as the
//              baseline's does (no worker runs: both queues only grow).
// autocannon, BENCH_CONNECTIONS (50) connections, BENCH_ROUNDS (3) alternating rounds of BENCH_ROUND_SECONDS (10).
// Afterwards every 2xx is counted against the stored rows: each acknowledged webhook stored exactly once.
const path = require('node:path');
const crypto = require('node:crypto');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const Stripe = require('stripe');
const {
  analyze,
  benchDatabase,
  checkpoint,
  cpuMeter,
  freePort,
  rssSampler,
  startHookgate,
  startScript,
  fmt,
} = require('./support/harness');

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS || 10);
const STRIPE_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
const stripe = new Stripe('sk_test_bench');

let sequence = 0;
/** A Stripe event of a realistic size (about 1.5 KB), unique per request. */
function stripeEvent() {
  sequence += 1;
  return JSON.stringify({
    id: `evt_bench_${process.pid}_${sequence}`,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    type: 'invoice.paid',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: `in_${sequence}`,
        object: 'invoice',
        amount_due: 1999 + (sequence % 100),
        amount_paid: 1999 + (sequence % 100),
        currency: 'eur',
        customer: `cus_${sequence % 1000}`,
        lines: {
          object: 'list',
          data: [
            { id: `il_${sequence}`, amount: 1999, description: 'Pro plan (monthly)', period: { start: 1, end: 2 } },
          ],
        },
        metadata: { tenant: 'eu-1', note: 'x'.repeat(600) },
        status: 'paid',
      },
    },
  });
}

/** External ids of every webhook answered 2xx, per target. */
const acknowledgedIds = { baseline: [], hookgate: [] };

/** Set in main(): CPU time of PostgreSQL, Redis and the server under test (null where /proc is missing). */
let meter = null;

async function round(url, what, pid) {
  await checkpoint();
  const rss = rssSampler(pid);
  const cpu = meter?.({ server: pid });
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: ROUND_SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest(request, context) {
          const payload = stripeEvent();
          context.id = `evt_bench_${process.pid}_${sequence}`;
          request.body = payload;
          request.headers = {
            'content-type': 'application/json',
            'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }),
          };
          return request;
        },
        onResponse(status, _body, context) {
          if (status >= 200 && status < 300) acknowledgedIds[what].push(context.id);
        },
      },
    ],
  });
  rss.stop();
  return {
    what,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    rssMb: rss.peakMb(),
    cpu: cpu?.perEvent(result['2xx']),
  };
}

async function main() {
  const db = await benchDatabase();
  const prefix = db.name;
  const pool = new Pool({ connectionString: db.url, max: 2 });
  await pool.query(
    'CREATE TABLE baseline_events (id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), data jsonb NOT NULL)',
  );
  const baselinePort = await freePort();
  const baseline = await startScript(path.join(__dirname, 'support', 'baseline-ingest-server.js'), {
    DATABASE_URL: db.url,
    PORT: String(baselinePort),
    BENCH_REDIS_PREFIX: `${prefix}-baseline`,
  });
  meter = await cpuMeter(db.url);
  const api = await startHookgate('api', {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: prefix,
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    ADMIN_API_KEY: ADMIN_KEY,
  });
  try {
    const endpoint = await fetch(`${api.url}/api/v1/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/bench' }),
    });
    if (!endpoint.ok) throw new Error(`endpoint not created: ${endpoint.status}`);
    const results = { baseline: [], hookgate: [] };
    // Warm both (JIT, pools, prepared statements) before measuring; their answers are counted with the rest.
    await round(`http://127.0.0.1:${baselinePort}/`, 'baseline', baseline.child.pid);
    await round(`${api.url}/webhooks/stripe`, 'hookgate', api.child.pid);
    // The statistics autovacuum would have by now on a database taking writes (see analyze).
    await analyze(db.url);
    for (let index = 0; index < ROUNDS; index += 1) {
      results.baseline.push(await round(`http://127.0.0.1:${baselinePort}/`, 'baseline', baseline.child.pid));
      results.hookgate.push(await round(`${api.url}/webhooks/stripe`, 'hookgate', api.child.pid));
    }

    const { rows: stored } = await pool.query(
      `SELECT (SELECT count(*) FROM events WHERE external_id = ANY($1))::int AS hookgate,
              (SELECT count(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.external_id = ANY($1))::int AS deliveries,
              (SELECT count(*) FROM baseline_events WHERE id = ANY($2))::int AS baseline`,
      [acknowledgedIds.hookgate, acknowledgedIds.baseline],
    );
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = (list) => ({
      rps: median(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      rssMb: Math.max(...list.map((r) => r.rssMb)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      cpu:
        list[0].cpu &&
        Object.fromEntries(Object.keys(list[0].cpu).map((name) => [name, median(list.map((r) => r.cpu[name]))])),
    });
    const b = summary(results.baseline);
    const h = summary(results.hookgate);
    console.log(
      `ingest: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s (medians; RSS = peak)`,
    );
    console.log(
      `  baseline (node:http + INSERT + BullMQ add):      ${fmt(b.rps)} req/s  p50 ${b.p50} ms  p99 ${b.p99} ms  RSS ${fmt(b.rssMb)} MB  errors ${b.errors}`,
    );
    console.log(
      `  hookgate (POST /webhooks/stripe, real api):      ${fmt(h.rps)} req/s  p50 ${h.p50} ms  p99 ${h.p99} ms  RSS ${fmt(h.rssMb)} MB  errors ${h.errors}`,
    );
    console.log(`  ratio hookgate / baseline (req/s): ${fmt(h.rps / b.rps, 2)}`);
    if (b.cpu && h.cpu) {
      const cpu = (c) => `PostgreSQL ${fmt(c.postgres)}, Redis ${fmt(c.redis)}, server ${fmt(c.server)}`;
      console.log(`  CPU µs per acknowledged webhook (medians): baseline ${cpu(b.cpu)}; hookgate ${cpu(h.cpu)}`);
    }
    console.log(
      `  acknowledged (2xx, warm-up included) and found stored: hookgate ${acknowledgedIds.hookgate.length} → ${stored[0].hookgate} (deliveries ${stored[0].deliveries}), baseline ${acknowledgedIds.baseline.length} → ${stored[0].baseline}`,
    );
    const { rows: duplicates } = await pool.query(
      'SELECT count(*)::int AS n FROM (SELECT integration_id, idempotency_key FROM events GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    console.log(`  hookgate events stored twice: ${duplicates[0].n}`);
  } finally {
    await pool.end();
    await Promise.all([api.stop(), baseline.stop()]);
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
