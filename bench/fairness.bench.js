// Fairness between applications (contract §7.1): one application's backlog on a slow endpoint must not hold up
// another application's deliveries. One real `api` and one real `worker` process at the defaults:
//   application A: BENCH_FAIRNESS_BACKLOG (20,000) deliveries to BENCH_FAIRNESS_SLOW_ENDPOINTS (3) endpoints that
//                  answer after BENCH_FAIRNESS_SLOW_MS (2,000) ms: their per-endpoint caps (10 each) add up to more
//                  than the worker's 20 slots, so only the application's share leaves B a slot;
//   application B: BENCH_FAIRNESS_RATE (20)/s for BENCH_FAIRNESS_SECONDS (10) s to an endpoint that answers at once.
// The baseline is B alone, on the same processes before A's backlog exists; then A's backlog is sent, B's webhooks
// right behind it, and B's again once each of A's jobs has been taken at least once (the delivery queue's wait list
// is empty: the backlog is waiting, not arriving). Figures: B's send→arrival p50/p95 in each, and the ratios of the
// p95s to B alone. Prints figures; asserts nothing.
const crypto = require('node:crypto');
const IORedis = require('ioredis');
const { benchDatabase, freePort, startHookgate, startScript, waitUntil, fmt } = require('./support/harness');
const path = require('node:path');

const BACKLOG = Number(process.env.BENCH_FAIRNESS_BACKLOG || 20_000);
const SLOW_MS = Number(process.env.BENCH_FAIRNESS_SLOW_MS || 2_000);
const SLOW_ENDPOINTS = Number(process.env.BENCH_FAIRNESS_SLOW_ENDPOINTS || 3);
const SLOW_ROUTES = Array.from({ length: SLOW_ENDPOINTS }, (_, index) => `/slow-${index + 1}`);
const RATE = Number(process.env.BENCH_FAIRNESS_RATE || 20);
const SECONDS = Number(process.env.BENCH_FAIRNESS_SECONDS || 10);
// How long the backlog may take to be waiting (every job taken once, none left in the wait list).
const SETTLE_TIMEOUT_MS = Number(process.env.BENCH_FAIRNESS_SETTLE_MS || 60_000);
const ADMIN_KEY = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
const PRODUCER_KEY = `bench-producer-${crypto.randomBytes(8).toString('hex')}`;

const sentAt = new Map();
let sequence = 0;

async function admin(api, method, route, body) {
  const response = await fetch(`${api.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** One generic webhook; its Idempotency-Key is its external id, by which the receiver names its arrival. */
async function sendOne(api, application) {
  sequence += 1;
  const id = `fair_${process.pid}_${application}_${sequence}`;
  sentAt.set(id, Date.now());
  const response = await fetch(`${api.url}/webhooks/${application}/producer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PRODUCER_KEY}`, 'content-type': 'application/json', 'idempotency-key': id },
    body: JSON.stringify({ type: 'work.item', sequence }),
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`webhook ${id}: ${response.status}`);
  return id;
}

async function sendBacklog(api, application, amount, concurrency = 50) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < amount) {
        next += 1;
        await sendOne(api, application);
      }
    }),
  );
}

/** `RATE` webhooks a second for `SECONDS` s, each on its own schedule; returns their ids. */
async function sendSteadily(api, application) {
  const ids = [];
  const start = Date.now();
  const sends = [];
  for (let index = 0; index < RATE * SECONDS; index += 1) {
    const due = start + (index * 1000) / RATE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    sends.push(sendOne(api, application).then((id) => ids.push(id)));
  }
  await Promise.all(sends);
  return ids;
}

function arrivalsOf(receiver, route) {
  return new Promise((resolve) => {
    receiver.child.once('message', (message) => resolve(message));
    receiver.child.send({ type: 'arrivals', path: route });
  });
}

async function latencies(receiver, route, ids) {
  const wanted = new Set(ids);
  await waitUntil(
    async () => (await arrivalsOf(receiver, route)).arrivals.filter(([id]) => wanted.has(id)).length >= ids.length,
    `${ids.length} deliveries to ${route}`,
    120_000,
  );
  const { arrivals } = await arrivalsOf(receiver, route);
  const times = arrivals.filter(([id]) => wanted.has(id)).map(([id, at]) => at - sentAt.get(id));
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
  return { p50: at(50), p95: at(95) };
}

async function main() {
  const db = await benchDatabase();
  const receiverPort = await freePort();
  const receiver = await startScript(path.join(__dirname, 'support', 'receiver.js'), { PORT: String(receiverPort) });
  const env = {
    DATABASE_URL: db.url,
    HOOKGATE_REDIS_PREFIX: db.name,
    ADMIN_API_KEY: ADMIN_KEY,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
    ...JSON.parse(process.env.BENCH_HOOKGATE_ENV || '{}'),
  };
  const api = await startHookgate('api', env);
  const worker = await startHookgate('worker', env);
  const redis = new IORedis(process.env.REDIS_URL);
  try {
    for (const [application, routes, delayMs] of [
      ['tenant-a', SLOW_ROUTES, SLOW_MS],
      ['tenant-b', ['/fast'], 0],
    ]) {
      await admin(api, 'POST', '/applications', { uid: application, name: application });
      await admin(api, 'POST', '/integrations', {
        application,
        slug: 'producer',
        provider: 'generic',
        secret: PRODUCER_KEY,
      });
      for (const route of routes) {
        const endpoint = await admin(api, 'POST', '/endpoints', {
          application,
          url: `http://127.0.0.1:${receiverPort}${route}`,
        });
        receiver.child.send({ type: 'secret', path: route, secret: endpoint.secret, delayMs });
      }
    }
    // The integrations reach the api's cache through the change feed: a first webhook of each is taken once it is.
    for (const application of ['tenant-a', 'tenant-b']) {
      let first;
      await waitUntil(async () => (first = await sendOne(api, application).catch(() => undefined)), application);
      await latencies(receiver, application === 'tenant-a' ? SLOW_ROUTES[0] : '/fast', [first]);
    }

    const alone = await latencies(receiver, '/fast', await sendSteadily(api, 'tenant-b'));

    const backlogStarted = Date.now();
    // Every slow endpoint takes every webhook of A: BACKLOG deliveries in all.
    await sendBacklog(api, 'tenant-a', Math.ceil(BACKLOG / SLOW_ENDPOINTS));
    const backlogSent = Date.now();
    // Right behind the burst, A's jobs not yet taken once are ahead of B's in the queue.
    const afterBurst = await latencies(receiver, '/fast', await sendSteadily(api, 'tenant-b'));
    const waitKey = `${db.name}:delivery:wait`;
    const settled = await waitUntil(
      async () => (await redis.llen(waitKey)) === 0,
      "application A's backlog to be waiting",
      SETTLE_TIMEOUT_MS,
    ).then(
      () => `waiting after ${fmt((Date.now() - backlogStarted) / 1000, 1)} s`,
      () => `still passing through the wait list ${SETTLE_TIMEOUT_MS / 1000} s later`,
    );
    const behind = await latencies(receiver, '/fast', await sendSteadily(api, 'tenant-b'));
    let slowArrived = 0;
    for (const route of SLOW_ROUTES) slowArrived += (await arrivalsOf(receiver, route)).arrivals.length;

    console.log(
      `fairness: application A has ${BACKLOG} deliveries waiting on ${SLOW_ENDPOINTS} endpoint(s) that answer in ${SLOW_MS} ms; application B sends ${RATE}/s for ${SECONDS} s; one api, one worker, defaults`,
    );
    console.log(`  B alone:                       e2e p50 ${alone.p50} ms, p95 ${alone.p95} ms`);
    console.log(
      `  B right behind A's burst:      e2e p50 ${afterBurst.p50} ms, p95 ${afterBurst.p95} ms (burst sent in ${fmt((backlogSent - backlogStarted) / 1000, 1)} s)`,
    );
    console.log(
      `  B behind A's waiting backlog:  e2e p50 ${behind.p50} ms, p95 ${behind.p95} ms (backlog ${settled}; ${slowArrived} of A's delivered by the end)`,
    );
    console.log(
      `  ratio of B's p95 to B alone: right behind the burst ${fmt(afterBurst.p95 / alone.p95, 2)}, behind the waiting backlog ${fmt(behind.p95 / alone.p95, 2)} (contract §7.1: p95 ≤ 2,000 ms)`,
    );
  } finally {
    redis.disconnect();
    await Promise.all([api.stop(), worker.stop()]);
    await receiver.stop();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
