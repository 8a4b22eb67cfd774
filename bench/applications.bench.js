// Applications at scale (issue 27): BENCH_APPLICATIONS (1,000) applications of 3 endpoints each, as a ratio of
// the same load on one application of 3 endpoints, measured in the same run against the same real processes,
// database and load generator:
//   ingest   = Stripe-signed unique events to POST /webhooks/stripe (the default application) against the same events
//              spread round-robin over POST /webhooks/<application>/stripe, in alternating rounds on one api process
//              (no worker runs: each webhook is stored with its 3 deliveries and the queues only grow);
//              autocannon, BENCH_CONNECTIONS (50) connections, BENCH_ROUNDS (3) rounds of BENCH_ROUND_SECONDS (10);
//   delivery = BENCH_APPLICATION_EVENTS (3,000) events sent as fast as autocannon can to one api and delivered by
//              one worker to a loopback receiver verifying every signature, to one application's 3 endpoints
//              against to 1,000 applications' 3,000 endpoints, alternating, two of each; drain rate = deliveries /
//              (last arrival − first send).
const crypto = require('node:crypto');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const Stripe = require('stripe');
const path = require('node:path');
const {
  analyze,
  benchDatabase,
  checkpoint,
  freePort,
  startHookgate,
  startScript,
  waitUntil,
  fmt,
} = require('./support/harness');

const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS || 1000);
const ENDPOINTS_EACH = 3;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS || 10);
const DELIVERY_EVENTS = Number(process.env.BENCH_APPLICATION_EVENTS || 3_000);
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

/** An autocannon request of a new Stripe-signed event to `pathOf(n)`; `onResponse` hears its answer. */
function signedEvents(pathOf, onResponse) {
  return {
    method: 'POST',
    setupRequest(request, context) {
      const event = stripeEvent();
      context.id = event.id;
      request.path = pathOf(sequence);
      request.body = event.payload;
      request.headers = {
        'content-type': 'application/json',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: event.payload, secret: STRIPE_SECRET }),
      };
      return request;
    },
    ...(onResponse ? { onResponse } : {}),
  };
}

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
      signedEvents(pathOf, (status, _body, context) => {
        if (status >= 200 && status < 300) acknowledged.push(context.id);
      }),
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

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A real api process on a database of its own, and a POST to its management API. */
async function startApi(extraEnv = {}) {
  const db = await benchDatabase();
  const env = {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: db.name,
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    ADMIN_API_KEY: ADMIN_KEY,
    // The setup makes about 5 management requests per application with one key.
    MANAGEMENT_RATE_LIMIT_PER_MINUTE: '1000000',
    ...extraEnv,
  };
  const api = await startHookgate('api', env);
  const post = async (route, body) => {
    const response = await fetch(`${api.url}/api/v1${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return { db, env, api, post };
}

/**
 * The default application's 3 endpoints and the applications with a Stripe integration and 3 endpoints each;
 * `urlOf(name)` says where an endpoint points, `created(name, endpoint)` hears of each. Returns the uids.
 */
async function setUpApplications(post, urlOf, created = () => undefined) {
  for (let n = 0; n < ENDPOINTS_EACH; n += 1) created(`one-${n}`, await post('/endpoints', { url: urlOf(`one-${n}`) }));
  const uids = Array.from({ length: APPLICATIONS }, (_, n) => `bench-${n}`);
  await inParallel(uids, 8, async (uid) => {
    await post('/applications', { uid, name: uid });
    await post('/integrations', { application: uid, slug: 'stripe', provider: 'stripe', secret: STRIPE_SECRET });
    for (let n = 0; n < ENDPOINTS_EACH; n += 1) {
      const name = `many-${uid}-${n}`;
      created(name, await post('/endpoints', { application: uid, url: urlOf(name) }));
    }
  });
  return uids;
}

async function ingestPass() {
  const { db, api, post } = await startApi();
  const pool = new Pool({ connectionString: db.url, max: 2 });
  walPosition = async () =>
    (await pool.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS at`)).rows[0].at;
  try {
    const started = Date.now();
    const uids = await setUpApplications(post, (name) => `http://127.0.0.1:9/${name}`);
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
      `applications, ingest: ${APPLICATIONS} applications of ${ENDPOINTS_EACH} endpoints each against one application of ${ENDPOINTS_EACH}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s (medians; setup ${fmt(setupSeconds)} s)`,
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

/** What the receiver has had on the paths under `prefix`: how many deliveries, and when the last came. */
function receivedUnder(receiver, prefix) {
  return new Promise((resolve) => {
    const listener = (message) => {
      if (message.type !== 'count' || message.prefix !== prefix) return;
      receiver.child.off('message', listener);
      resolve(message);
    };
    receiver.child.on('message', listener);
    receiver.child.send({ type: 'count', prefix });
  });
}

/** Sends DELIVERY_EVENTS events to `pathOf(n)` and waits for their 3 deliveries each; returns the drain rate. */
async function drain(apiUrl, receiver, prefix, pathOf) {
  const before = (await receivedUnder(receiver, prefix)).count;
  const expected = before + DELIVERY_EVENTS * ENDPOINTS_EACH;
  const firstSend = Date.now();
  await autocannon({
    url: apiUrl,
    connections: CONNECTIONS,
    amount: DELIVERY_EVENTS,
    requests: [signedEvents(pathOf)],
  });
  let latest;
  await waitUntil(
    async () => (latest = await receivedUnder(receiver, prefix)).count >= expected,
    `${expected} deliveries under ${prefix}`,
    300_000,
  );
  return { rate: (DELIVERY_EVENTS * ENDPOINTS_EACH) / ((latest.lastAt - firstSend) / 1000), rejected: latest.rejected };
}

async function deliveryPass() {
  const receiverPort = await freePort();
  const receiver = await startScript(path.join(__dirname, 'support', 'receiver.js'), { PORT: String(receiverPort) });
  const { db, env, api, post } = await startApi({ DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true' });
  const worker = await startHookgate('worker', env);
  try {
    const uids = await setUpApplications(
      post,
      (name) => `http://127.0.0.1:${receiverPort}/${name}`,
      (name, endpoint) => receiver.child.send({ type: 'secret', path: `/${name}`, secret: endpoint.secret }),
    );
    const one = () => '/webhooks/stripe';
    const many = (n) => `/webhooks/${uids[n % APPLICATIONS]}/stripe`;
    // Warm both (every application's caches in the api and the worker), then the statistics and a checkpoint.
    await drain(api.url, receiver, '/one-', one);
    await drain(api.url, receiver, '/many-', many);
    await analyze(db.url);
    const rates = { one: [], many: [] };
    for (let index = 0; index < 2; index += 1) {
      await checkpoint();
      rates.one.push((await drain(api.url, receiver, '/one-', one)).rate);
      await checkpoint();
      rates.many.push((await drain(api.url, receiver, '/many-', many)).rate);
    }
    const { rejected } = await receivedUnder(receiver, '/');
    const o = Math.max(...rates.one);
    const m = Math.max(...rates.many);
    console.log(
      `applications, delivery: ${DELIVERY_EVENTS} events × ${ENDPOINTS_EACH} endpoints, one api and one worker, defaults, two alternating drains each (best of two)`,
    );
    console.log(`  one application:          ${rates.one.map((rate) => fmt(rate)).join(', ')} deliveries/s`);
    console.log(`  ${APPLICATIONS} applications:     ${rates.many.map((rate) => fmt(rate)).join(', ')} deliveries/s`);
    console.log(`  ratio many / one (deliveries/s): ${fmt(m / o, 2)}; signatures the receiver refused: ${rejected}`);
  } finally {
    await Promise.all([api.stop(), worker.stop(), receiver.stop()]);
    await db.drop();
  }
}

async function main() {
  if (process.env.BENCH_APPLICATIONS_PASS !== 'delivery') await ingestPass();
  if (process.env.BENCH_APPLICATIONS_PASS !== 'ingest') await deliveryPass();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
