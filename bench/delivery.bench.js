// Delivery throughput and end-to-end latency, as a ratio against a baseline measured in the same run on the same
// PostgreSQL, Redis and receiver:
//   hookgate = BENCH_DELIVERY_EVENTS (20,000) Stripe-signed events sent as fast as autocannon can to a real `api`,
//              delivered by ONE real `worker` process to a loopback receiver that verifies every signature;
//   baseline = the same events sent to bench/support/baseline-ingest-server.js (INSERT + BullMQ add) and delivered
//              by bench/support/baseline-delivery-worker.js (one SELECT, one signed POST, one UPDATE per event).
// Each pipeline is measured warm (warmUp: BENCH_WARM_UP_EVENTS (2,000) delivered first, the database analyzed as
// autovacuum would have, a checkpoint). Drain rate = events / (last arrival − first send). Then Hookgate alone at a
// steady BENCH_STEADY_RATE (200)/s, after one warm-up second: end-to-end latency from send to arrival. With
// BENCH_TRANSFORMATION (on unless 0), the same processes then drain as many events again through a trivial
// transformation (§7.4) on the endpoint: what running user code in the sandbox on every delivery costs. With
// BENCH_FIFO (on unless 0), they drain as many again to the endpoint made `fifo` (§7.5), the events' ordering keys
// (Stripe data.object.id) spread over BENCH_FIFO_KEYS (1,000): what delivering one at a time per key costs. Prints
// figures; asserts nothing.
const crypto = require('node:crypto');
const path = require('node:path');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const Stripe = require('stripe');
const {
  analyze,
  benchDatabase,
  checkpoint,
  cpuMeter,
  freePort,
  startHookgate,
  startScript,
  waitUntil,
  fmt,
} = require('./support/harness');

const EVENTS = Number(process.env.BENCH_DELIVERY_EVENTS || 20_000);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE || 200);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS || 10);
// Events each pipeline delivers before it is measured: its processes warm, its tables hold finished rows.
const WARM_UP_EVENTS = Number(process.env.BENCH_WARM_UP_EVENTS || 2_000);
// The endpoint controls of §6.6 that cost something per event or attempt: static headers, a bearer token and a
// payload filter that every event matches (BENCH_ENDPOINT_CONTROLS=0 measures a plain endpoint).
const ENDPOINT_CONTROLS = process.env.BENCH_ENDPOINT_CONTROLS !== '0';
const CONTROLS = {
  headers: { 'x-tenant': 'bench' },
  auth: { type: 'bearer', token: `bench-token-${crypto.randomBytes(8).toString('hex')}` },
  filter: {
    eventTypes: ['invoice.*'],
    payload: { 'data.data.object.currency': 'eur', 'data.data.object.amount_paid': { gte: 1000 } },
  },
};
// A transformation that changes a header and hands the payload back: the sandbox's fixed cost per delivery (JSON in
// and out of QuickJS), not the cost of what a handler might compute.
const TRANSFORMATION = process.env.BENCH_TRANSFORMATION !== '0';
const TRIVIAL_TRANSFORMATION = "function handler(webhook) { webhook.headers['x-transformed'] = '1'; return webhook; }";
const FIFO = process.env.BENCH_FIFO !== '0';
const FIFO_KEYS = Number(process.env.BENCH_FIFO_KEYS || 1_000);
// While set, the events' objects (and so their ordering keys) cycle over this many ids; otherwise each is its own.
let orderingKeys = 0;
const STRIPE_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
const stripe = new Stripe('sk_test_bench');

let sequence = 0;
const sentAt = new Map();

function nextEvent() {
  sequence += 1;
  const id = `evt_delivery_${process.pid}_${sequence}`;
  return {
    id,
    payload: JSON.stringify({
      id,
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: orderingKeys ? `in_key_${sequence % orderingKeys}` : `in_${sequence}`,
          amount_paid: 1999,
          currency: 'eur',
        },
      },
    }),
  };
}

/** Sends `amount` events as fast as autocannon can, and remembers when each one left. */
function send(url, options) {
  return autocannon({
    url,
    connections: 50,
    amount: options.amount,
    requests: [
      {
        method: 'POST',
        setupRequest(request, context) {
          const event = nextEvent();
          context.id = event.id;
          request.body = event.payload;
          request.headers = {
            'content-type': 'application/json',
            'stripe-signature': stripe.webhooks.generateTestHeaderString({
              payload: event.payload,
              secret: STRIPE_SECRET,
            }),
          };
          sentAt.set(event.id, Date.now());
          return request;
        },
      },
    ],
  });
}

/** Sends `rate` events a second for `seconds`, each stamped as it leaves (not when a load generator queues it). */
async function sendSteadily(url, rate, seconds) {
  const sends = [];
  const started = Date.now();
  for (let index = 0; index < rate * seconds; index += 1) {
    const due = started + (index * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const event = nextEvent();
    sentAt.set(event.id, Date.now());
    const headers = {
      'content-type': 'application/json',
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: event.payload, secret: STRIPE_SECRET }),
    };
    sends.push(fetch(url, { method: 'POST', headers, body: event.payload }).then((response) => response.arrayBuffer()));
  }
  await Promise.all(sends);
}

function arrivals(receiver, route) {
  return new Promise((resolve) => {
    const listener = (message) => {
      if (message.type !== 'arrivals') return;
      receiver.child.off('message', listener);
      resolve(message);
    };
    receiver.child.on('message', listener);
    receiver.child.send({ type: 'arrivals', path: route });
  });
}

async function waitForArrivals(receiver, route, expected, timeoutMs) {
  let latest = { arrivals: [] };
  await waitUntil(
    async () => (latest = await arrivals(receiver, route)).arrivals.length >= expected,
    `${expected} deliveries to ${route}`,
    timeoutMs,
  ).catch(() => undefined);
  return latest;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function figures(arrived, ids) {
  const wanted = new Set(ids);
  const latencies = arrived.filter(([id]) => wanted.has(id)).map(([id, at]) => at - sentAt.get(id));
  const first = Math.min(...ids.map((id) => sentAt.get(id)));
  const last = Math.max(...arrived.filter(([id]) => wanted.has(id)).map(([, at]) => at));
  return {
    delivered: latencies.length,
    drainRate: latencies.length / ((last - first) / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/**
 * Takes a pipeline to the state its measurement starts from, the same for both: WARM_UP_EVENTS sent and delivered
 * (processes warm, tables holding finished rows), the statistics autovacuum would have by now (analyze), and no
 * checkpoint pending. Returns how many events the route has received.
 */
async function warmUp(url, receiver, route, databaseUrl) {
  const before = sequence;
  await send(url, { amount: WARM_UP_EVENTS });
  const arrived = sequence - before;
  await waitForArrivals(receiver, route, arrived, 120_000);
  await analyze(databaseUrl);
  await checkpoint();
  return arrived;
}

async function main() {
  const db = await benchDatabase();
  const receiverPort = await freePort();
  const receiver = await startScript(path.join(__dirname, 'support', 'receiver.js'), { PORT: String(receiverPort) });
  const env = {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: db.name,
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    ADMIN_API_KEY: ADMIN_KEY,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
    // BENCH_HOOKGATE_ENV='{"ENDPOINT_CONCURRENCY":"20"}' measures a setting other than the defaults, for A/B pairs.
    ...JSON.parse(process.env.BENCH_HOOKGATE_ENV || '{}'),
  };
  const meter = await cpuMeter(db.url);
  const api = await startHookgate('api', env);
  const worker = await startHookgate('worker', env);
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const processes = [api, worker];
  try {
    const created = await fetch(`${api.url}/api/v1/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${receiverPort}/hookgate`,
        ...(ENDPOINT_CONTROLS ? CONTROLS : {}),
      }),
    }).then((response) => response.json());
    receiver.child.send({ type: 'secret', path: '/hookgate', secret: created.secret });

    const hookgateWarmUp = await warmUp(`${api.url}/webhooks/stripe`, receiver, '/hookgate', db.url);
    const before = sequence;
    const hookgateCpu = meter?.({ api: api.child.pid, worker: worker.child.pid });
    await send(`${api.url}/webhooks/stripe`, { amount: EVENTS });
    const hookgateIds = Array.from(
      { length: sequence - before },
      (_, index) => `evt_delivery_${process.pid}_${before + index + 1}`,
    );
    const hookgateArrived = hookgateWarmUp + hookgateIds.length;
    const hookgateArrivals = await waitForArrivals(receiver, '/hookgate', hookgateArrived, 300_000);
    const hookgate = figures(hookgateArrivals.arrivals, hookgateIds);
    hookgate.cpu = hookgateCpu?.perEvent(hookgate.delivered);
    // Everything /hookgate has received so far: arrivals are counted per route.
    let arrivedAtHookgate = hookgateArrived;
    /** The endpoint changed by `patch`, then EVENTS more drained by the same processes. */
    const drainChanged = async (patch) => {
      await fetch(`${api.url}/api/v1/endpoints/${created.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      }).then((response) => response.json());
      const changedBefore = sequence;
      await send(`${api.url}/webhooks/stripe`, { amount: EVENTS });
      const changedIds = Array.from(
        { length: sequence - changedBefore },
        (_, index) => `evt_delivery_${process.pid}_${changedBefore + index + 1}`,
      );
      arrivedAtHookgate += changedIds.length;
      return figures((await waitForArrivals(receiver, '/hookgate', arrivedAtHookgate, 300_000)).arrivals, changedIds);
    };
    const transformed = TRANSFORMATION
      ? await drainChanged({ transformation: { code: TRIVIAL_TRANSFORMATION } })
      : undefined;
    orderingKeys = FIFO_KEYS;
    const fifo = FIFO ? await drainChanged({ transformation: { code: '' }, ordering: 'fifo' }) : undefined;
    orderingKeys = 0;
    await Promise.all([api.stop(), worker.stop()]);
    processes.length = 0;

    // The baseline pipeline, on the same database server, Redis and receiver.
    await pool.query(
      'CREATE TABLE baseline_events (id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), data jsonb NOT NULL, delivered_at timestamptz)',
    );
    const baselineSecret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    receiver.child.send({ type: 'secret', path: '/baseline', secret: baselineSecret });
    const ingestPort = await freePort();
    const baselineEnv = { DATABASE_URL: db.url, BENCH_REDIS_PREFIX: `${db.name}-baseline` };
    const baselineIngest = await startScript(path.join(__dirname, 'support', 'baseline-ingest-server.js'), {
      ...baselineEnv,
      PORT: String(ingestPort),
    });
    const baselineWorker = await startScript(path.join(__dirname, 'support', 'baseline-delivery-worker.js'), {
      ...baselineEnv,
      SIGNING_SECRET: baselineSecret,
      TARGET_URL: `http://127.0.0.1:${receiverPort}/baseline`,
    });
    processes.push(baselineIngest, baselineWorker);
    const baselineWarmUp = await warmUp(`http://127.0.0.1:${ingestPort}/`, receiver, '/baseline', db.url);
    const baselineBefore = sequence;
    const baselineCpu = meter?.({ api: baselineIngest.child.pid, worker: baselineWorker.child.pid });
    await send(`http://127.0.0.1:${ingestPort}/`, { amount: EVENTS });
    const baselineIds = Array.from(
      { length: sequence - baselineBefore },
      (_, index) => `evt_delivery_${process.pid}_${baselineBefore + index + 1}`,
    );
    const baselineArrivals = await waitForArrivals(receiver, '/baseline', baselineWarmUp + baselineIds.length, 300_000);
    const baseline = figures(baselineArrivals.arrivals, baselineIds);
    baseline.cpu = baselineCpu?.perEvent(baseline.delivered);
    await Promise.all([baselineIngest.stop(), baselineWorker.stop()]);
    processes.length = 0;

    // Hookgate at a steady rate, for latency rather than throughput.
    const steadyApi = await startHookgate('api', env);
    const steadyWorker = await startHookgate('worker', env);
    processes.push(steadyApi, steadyWorker);
    // Fresh processes open their connections, prepare their statements and compile their hot code in the first
    // second; one warm-up second (delivered before measuring) keeps that out of a steady state's latency.
    const warmUpBefore = sequence;
    await sendSteadily(`${steadyApi.url}/webhooks/stripe`, STEADY_RATE, 1);
    await waitForArrivals(receiver, '/hookgate', arrivedAtHookgate + (sequence - warmUpBefore), 60_000);
    const steadyBefore = sequence;
    await sendSteadily(`${steadyApi.url}/webhooks/stripe`, STEADY_RATE, STEADY_SECONDS);
    const steadyIds = Array.from(
      { length: sequence - steadyBefore },
      (_, index) => `evt_delivery_${process.pid}_${steadyBefore + index + 1}`,
    );
    const steady = figures(
      (await waitForArrivals(receiver, '/hookgate', arrivedAtHookgate + (sequence - warmUpBefore), 60_000)).arrivals,
      steadyIds,
    );

    console.log(
      `delivery: ${EVENTS} events sent as fast as possible, one worker process, loopback receiver verifying signatures; endpoint controls ${ENDPOINT_CONTROLS ? 'on (headers, bearer token, payload filter)' : 'off'}`,
    );
    console.log(
      `  baseline (INSERT + add; worker: SELECT, signed POST, UPDATE): ${baseline.delivered} delivered, ${fmt(baseline.drainRate)} events/s, e2e p50 ${baseline.p50} ms p95 ${baseline.p95} ms`,
    );
    console.log(
      `  hookgate (api + worker):                                      ${hookgate.delivered} delivered, ${fmt(hookgate.drainRate)} events/s, e2e p50 ${hookgate.p50} ms p95 ${hookgate.p95} ms`,
    );
    console.log(`  ratio hookgate / baseline (drain rate): ${fmt(hookgate.drainRate / baseline.drainRate, 2)}`);
    if (transformed) {
      console.log(
        `  hookgate with a trivial transformation: ${transformed.delivered} delivered, ${fmt(transformed.drainRate)} events/s, e2e p50 ${transformed.p50} ms p95 ${transformed.p95} ms`,
      );
      console.log(
        `  ratio transformed / baseline: ${fmt(transformed.drainRate / baseline.drainRate, 2)}; transformed / plain hookgate: ${fmt(transformed.drainRate / hookgate.drainRate, 2)}`,
      );
    }
    if (fifo) {
      console.log(
        `  hookgate to a fifo endpoint, ${FIFO_KEYS} ordering keys: ${fifo.delivered} delivered, ${fmt(fifo.drainRate)} events/s, e2e p50 ${fifo.p50} ms p95 ${fifo.p95} ms`,
      );
      console.log(
        `  ratio fifo / baseline: ${fmt(fifo.drainRate / baseline.drainRate, 2)}; fifo / plain hookgate: ${fmt(fifo.drainRate / hookgate.drainRate, 2)}`,
      );
    }
    if (hookgate.cpu && baseline.cpu) {
      const cpu = (c) =>
        `PostgreSQL ${fmt(c.postgres)}, Redis ${fmt(c.redis)}, ingest ${fmt(c.api)}, worker ${fmt(c.worker)}`;
      console.log(`  CPU µs per delivered event: baseline ${cpu(baseline.cpu)}; hookgate ${cpu(hookgate.cpu)}`);
    }
    console.log(`  receiver rejected signatures: ${hookgateArrivals.rejected + baselineArrivals.rejected}`);
    console.log(
      `steady ${STEADY_RATE} events/s for ${STEADY_SECONDS} s: ${steady.delivered} delivered, e2e p50 ${steady.p50} ms p95 ${steady.p95} ms p99 ${steady.p99} ms`,
    );
  } finally {
    await pool.end();
    await Promise.all(processes.map((process) => process.stop()));
    await receiver.stop();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
