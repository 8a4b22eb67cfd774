// The chaos run: one fault after another against a real cluster under a steady stream of signed webhooks; after
// each, wait for quiescence (with a deadline) and check from PostgreSQL and the receiver that nothing was lost,
// duplicated or stranded. Used by `npm run chaos` (scripts/chaos.js) and by test/chaos/chaos.e2e-spec.ts.
const crypto = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');
const { startCluster, waitUntil } = require('./cluster');
const { Receiver, Provider } = require('./traffic');
const { root } = require('../services');

const FINAL_EVENT = ['delivered', 'partially_delivered', 'failed', 'no_subscribers'];
const FINAL_DELIVERY = ['succeeded', 'dead_lettered'];
/** An attempt that failed because its worker was stopping (contract §6.3 forbids it). */
const SHUTDOWN_ERROR = /abort|shut ?down|terminat|closing|worker.*stop/i;
const flaky = () => {
  const roll = Math.random();
  return roll < 0.1 ? { status: 500 } : { status: 200, delayMs: roll < 0.2 ? 200 : 5 };
};
const healthy = () => ({ status: 200 });

/**
 * Each scenario: `fault(cluster, context)` breaks something while webhooks flow, and resolves once it is repaired;
 * `endpoints` add to the healthy and flaky ones every scenario has.
 */
const SCENARIOS = {
  steady: {
    what: "no fault: the control row (the healthy endpoint's delay with nothing failing)",
    measuresDelay: true,
    async fault(cluster, { pause, options }) {
      await pause(options.streamMs);
    },
  },
  'redis-killed': {
    what: 'Redis SIGKILLed, restarted 4 s later',
    async fault({ redis }, { pause }) {
      await redis.kill();
      await pause(4_000);
      await redis.start();
    },
  },
  'worker-sigkill': {
    what: 'a worker SIGKILLed mid-delivery, restarted',
    slow: true,
    async fault({ workers }, { receiver, pause }) {
      await waitUntil(() => receiver.inFlight > 0, 'a delivery in flight', 10_000);
      await workers[0].stop('SIGKILL');
      await pause(1_000);
      await workers[0].start();
    },
  },
  'fifo-worker-sigkill': {
    what: 'a worker SIGKILLed mid-delivery to a fifo endpoint (§7.5), restarted',
    slow: true,
    fifo: true,
    async fault({ workers }, { receiver, pause, endpoints }) {
      const fifo = endpoints.find((endpoint) => endpoint.role === 'fifo');
      await waitUntil(() => receiver.inFlightByPath.get(fifo.path) > 0, 'a fifo delivery in flight', 10_000);
      await workers[0].stop('SIGKILL');
      await pause(1_000);
      await workers[0].start();
    },
  },
  'api-sigkill': {
    what: 'the api SIGKILLed under load, restarted',
    async fault({ api }) {
      await api.stop('SIGKILL');
      await api.start();
    },
  },
  'postgres-restart': {
    what: 'PostgreSQL restarted (crash stop)',
    async fault({ postgres }) {
      postgres.stop('immediate');
      await postgres.start();
    },
  },
  'postgres-outage': {
    what: 'PostgreSQL down longer than the processing retries last',
    async fault({ postgres }, { pause, options }) {
      postgres.stop('immediate');
      await pause(options.postgresOutageMs);
      await postgres.start();
    },
  },
  'worker-sigterm': {
    what: 'SIGTERM to a worker during deliveries, restarted',
    slow: true,
    async fault({ workers }, { receiver, pause, notes }) {
      await waitUntil(() => receiver.inFlight > 0, 'a delivery in flight', 10_000);
      notes.exitCode = await workers[1].stop('SIGTERM', 60_000);
      await pause(500);
      await workers[1].start();
    },
  },
  'endpoint-hangs': {
    what: 'one endpoint hangs beside a healthy one, then answers again',
    hanging: true,
    measuresDelay: true,
    // The breaker lets one probe a second through to the hanging endpoint: its backlog drains once it answers.
    async fault(cluster, { pause, options, endpointState }) {
      await pause(options.streamMs);
      endpointState.hanging = false;
    },
  },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Contract §7.5 from the receiver's side: for each ordering key of the fifo endpoint, the events it received (a
 * delivery sent again after a crash counts once) are the key's deliveries in the order Hookgate gave them, and no
 * request of a key started before the previous one was answered.
 */
function orderProblems(endpoint, outcome, requests) {
  const problems = [];
  const fifo = outcome.deliveries.filter((row) => row.endpoint_id === endpoint.id);
  const keyOf = new Map(fifo.map((row) => [row.event_id, row.ordering_key]));
  const expected = new Map();
  for (const row of [...fifo].sort((a, b) => Number(BigInt(a.ordering_seq) - BigInt(b.ordering_seq))))
    expected.set(row.ordering_key, [...(expected.get(row.ordering_key) ?? []), row.event_id]);
  const seen = new Map();
  for (const request of requests.filter((item) => item.path === endpoint.path && item.verified)) {
    const key = keyOf.get(request.eventId);
    seen.set(key, [...(seen.get(key) ?? []), request]);
  }
  let outOfOrder = 0;
  let overlapping = 0;
  for (const [key, order] of expected) {
    const received = seen.get(key) ?? [];
    const distinct = received.map((request) => request.eventId).filter((id, index, all) => all[index - 1] !== id);
    if (distinct.join() !== order.join()) outOfOrder += 1;
    overlapping += received.filter(
      (request, index) => index > 0 && request.at < (received[index - 1].answeredAt ?? 0),
    ).length;
  }
  if (!fifo.length) problems.push('no delivery to the fifo endpoint');
  if (fifo.some((row) => row.ordering_key === null)) problems.push('fifo deliveries without an ordering key');
  if (outOfOrder) problems.push(`${outOfOrder} ordering keys received out of order`);
  if (overlapping) problems.push(`${overlapping} deliveries started before the previous one of their key was answered`);
  return problems;
}

function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

class ManagementApi {
  constructor(baseUrl, key) {
    Object.assign(this, { baseUrl, key });
  }

  async post(route, body) {
    const response = await fetch(`${this.baseUrl()}/api/v1${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

/** Reads a scenario's events, deliveries and attempts; retries while PostgreSQL is still coming back. */
async function readOutcome(databaseUrl, prefix) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const events = await client.query(
      `SELECT external_id, count(*)::int AS copies, array_agg(status::text) AS statuses
         FROM events WHERE external_id LIKE $1 GROUP BY external_id`,
      [`${prefix}\\_%`],
    );
    const deliveries = await client.query(
      `SELECT d.id, d.event_id, d.endpoint_id, d.status::text, d.attempt_count, d.ordering_key, d.ordering_seq::text,
              count(a.id)::int AS attempts, coalesce(max(a.number), 0) AS last_number,
              count(a.id) FILTER (WHERE a.outcome = 'succeeded')::int AS succeeded_attempts,
              count(a.id) FILTER (WHERE a.error ~* $2 OR a.error_class ~* $2)::int AS shutdown_attempts
         FROM deliveries d JOIN events e ON e.id = d.event_id
         LEFT JOIN delivery_attempts a ON a.delivery_id = d.id
        WHERE e.external_id LIKE $1 GROUP BY d.id`,
      [`${prefix}\\_%`, SHUTDOWN_ERROR.source],
    );
    return { events: events.rows, deliveries: deliveries.rows };
  } finally {
    await client.end();
  }
}

/** Every figure of the table, and the problems found (an empty list is a pass). */
function judge({ provider, receiver, outcome, endpoints, notes, options }) {
  const problems = [];
  const stored = new Map(outcome.events.map((row) => [row.external_id, row]));
  const acknowledged = [...provider.acknowledged.keys()];
  const lost = acknowledged.filter((id) => !stored.has(id));
  const duplicatedEvents = outcome.events.filter((row) => row.copies > 1);
  const strandedEvents = outcome.events.filter((row) => row.statuses.some((status) => !FINAL_EVENT.includes(status)));
  const strandedDeliveries = outcome.deliveries.filter((row) => !FINAL_DELIVERY.includes(row.status));
  const unrecorded = outcome.deliveries.filter(
    (row) => row.attempts !== row.attempt_count || row.last_number !== row.attempt_count,
  );
  const shutdownFailures = outcome.deliveries.reduce((sum, row) => sum + row.shutdown_attempts, 0);

  const pathOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.path]));
  const ours = receiver.requests.filter((request) => [...pathOf.values()].includes(request.path));
  const forged = ours.filter((request) => !request.verified).length;
  const webhookIdsByPair = new Map();
  const answeredOk = new Set();
  const receipts = new Map();
  for (const request of ours.filter((item) => item.verified)) {
    const pair = `${request.path} ${request.eventId}`;
    if (!webhookIdsByPair.has(pair)) webhookIdsByPair.set(pair, new Set());
    webhookIdsByPair.get(pair).add(request.webhookId);
    receipts.set(request.webhookId, (receipts.get(request.webhookId) ?? 0) + 1);
    if (request.status !== null && request.status < 300) answeredOk.add(request.webhookId);
  }
  const duplicatedDeliveries = [...webhookIdsByPair.values()].filter((ids) => ids.size > 1).length;
  const succeeded = outcome.deliveries.filter((row) => row.status === 'succeeded');
  const unseen = succeeded.filter((row) => !answeredOk.has(row.id) || row.succeeded_attempts !== 1);
  const redeliveries = [...receipts.values()].reduce((sum, count) => sum + count - 1, 0);

  if (provider.gaveUp) problems.push(`${provider.gaveUp} webhooks never acknowledged`);
  if (lost.length) problems.push(`lost: ${lost.slice(0, 3).join(', ')}`);
  if (duplicatedEvents.length)
    problems.push(
      `stored twice: ${duplicatedEvents
        .slice(0, 3)
        .map((row) => row.external_id)
        .join(', ')}`,
    );
  if (duplicatedDeliveries)
    problems.push(`${duplicatedDeliveries} deliveries reached the receiver under more than one webhook-id`);
  if (strandedEvents.length)
    problems.push(
      `${strandedEvents.length} events not final (${strandedEvents
        .slice(0, 3)
        .map((row) => row.statuses)
        .join(', ')})`,
    );
  if (strandedDeliveries.length) {
    const statuses = [...new Set(strandedDeliveries.map((row) => row.status))].join(', ');
    problems.push(`${strandedDeliveries.length} deliveries not final (${statuses})`);
  }
  if (unrecorded.length) problems.push(`${unrecorded.length} deliveries whose attempts are not all recorded`);
  if (unseen.length) problems.push(`${unseen.length} succeeded deliveries the receiver did not acknowledge once`);
  if (shutdownFailures) problems.push(`${shutdownFailures} attempts failed because of a shutdown`);
  if (forged) problems.push(`${forged} deliveries with a bad signature`);
  const fifoEndpoint = endpoints.find((endpoint) => endpoint.role === 'fifo');
  if (fifoEndpoint) problems.push(...orderProblems(fifoEndpoint, outcome, receiver.requests));
  if (notes.exitCode !== undefined && notes.exitCode !== 0)
    problems.push(`the SIGTERMed worker exited with ${notes.exitCode}`);

  let healthyP95Ms = null;
  const healthyEndpoint = endpoints.find((endpoint) => endpoint.role === 'healthy');
  if (notes.measuresDelay) {
    const firstArrival = new Map();
    for (const request of ours)
      if (request.path === healthyEndpoint.path && request.verified && !firstArrival.has(request.eventId))
        firstArrival.set(request.eventId, request.at);
    const arrived = [...provider.acknowledged.values()].filter((ack) => firstArrival.has(ack.eventId));
    notes.healthyDelays = arrived.map((ack) => [ack.ackedAt, firstArrival.get(ack.eventId) - ack.ackedAt]);
    const delays = notes.healthyDelays.map(([, delay]) => delay);
    healthyP95Ms = percentile(delays, 95);
    if (healthyP95Ms === null) problems.push('no delivery reached the healthy endpoint');
    // What the hanging endpoint costs the healthy one: its p95 over the control row's, measured in the same run on
    // the same (shared, 2-core) machine, so that CPU contention from elsewhere is not counted as Hookgate's delay.
    const added = healthyP95Ms - (notes.controlP95Ms ?? 0);
    if (notes.hanging && added > options.healthyP95LimitMs) {
      problems.push(
        `the hanging endpoint added ${added} ms to the healthy endpoint's p95 delay (${healthyP95Ms} ms; ` +
          `control ${notes.controlP95Ms ?? 'not run'} ms; limit ${options.healthyP95LimitMs} ms)`,
      );
    }
  }
  return {
    acknowledged: acknowledged.length,
    lost: lost.length,
    duplicated: duplicatedEvents.length + duplicatedDeliveries,
    stranded: strandedEvents.length + strandedDeliveries.length + unrecorded.length + unseen.length,
    deliveries: outcome.deliveries.length,
    succeeded: succeeded.length,
    deadLettered: outcome.deliveries.filter((row) => row.status === 'dead_lettered').length,
    redeliveries,
    healthyP95Ms,
    healthyDelays: notes.healthyDelays,
    problems,
  };
}

async function runScenario(name, { cluster, receiver, management, options, log }) {
  const scenario = SCENARIOS[name];
  const prefix = `evt_${name.replace(/-/g, '')}_${crypto.randomBytes(3).toString('hex')}`;
  const type = `chaos.${name}`;
  const endpoints = [];
  const endpointState = { hanging: true };
  const slow = () => ({ status: Math.random() < 0.1 ? 500 : 200, delayMs: 100 });
  const behaviours = {
    healthy,
    flaky: scenario.slow ? slow : flaky,
    hang: () => (endpointState.hanging ? 'hang' : { status: 200 }),
    fifo: slow,
  };
  const roles = ['healthy', 'flaky', ...(scenario.hanging ? ['hang'] : []), ...(scenario.fifo ? ['fifo'] : [])];
  for (const role of roles) {
    const endpointPath = `/${name}/${role}`;
    const body = {
      url: receiver.url(endpointPath),
      filter: { eventTypes: [type] },
      maxAttempts: 6,
      timeoutMs: role === 'hang' ? 1_000 : 5_000,
      ...(role === 'fifo' ? { ordering: 'fifo' } : {}),
    };
    const created = await management.post('/endpoints', body);
    receiver.define(endpointPath, created.secret, behaviours[role]);
    endpoints.push({ id: created.id, path: endpointPath, role });
  }
  const provider = new Provider({
    baseUrl: `http://127.0.0.1:${cluster.api.port}`,
    secret: options.stripeSecret,
    prefix,
    type,
    rate: options.rate,
    // A few keys, so each has a queue of its own that the kill interrupts.
    orderingKeys: scenario.fifo ? 6 : 0,
  });
  const notes = {
    measuresDelay: Boolean(scenario.measuresDelay),
    hanging: Boolean(scenario.hanging),
    controlP95Ms: options.controlP95Ms,
  };
  provider.start();
  await sleep(options.leadMs);
  const faultAt = Date.now();
  await scenario.fault(cluster, { receiver, notes, options, endpointState, endpoints, pause: sleep });
  const repairedAt = Date.now();
  const remaining = options.streamMs - (repairedAt - faultAt);
  if (remaining > 0) await sleep(Math.min(remaining, options.leadMs));
  provider.stop();

  let outcome;
  let settled = true;
  try {
    await waitUntil(
      async () => {
        if (!provider.idle) return false;
        outcome = await readOutcome(cluster.databaseUrl, prefix);
        const events = new Map(outcome.events.map((row) => [row.external_id, row]));
        const allStored = [...provider.acknowledged.keys()].every((id) => events.has(id));
        const eventsFinal = outcome.events.every((row) => row.statuses.every((status) => FINAL_EVENT.includes(status)));
        return allStored && eventsFinal && outcome.deliveries.every((row) => FINAL_DELIVERY.includes(row.status));
      },
      `${name} to settle`,
      options.settleTimeoutMs,
    );
  } catch {
    settled = false;
    outcome = await readOutcome(cluster.databaseUrl, prefix).catch(() => ({ events: [], deliveries: [] }));
  }
  const recoveredMs = Date.now() - repairedAt;
  const figures = judge({ provider, receiver, outcome, endpoints, notes, options });
  if (!settled) figures.problems.unshift(`did not settle within ${options.settleTimeoutMs / 1000} s`);
  const result = {
    name,
    what: scenario.what,
    endpoints: endpoints.length,
    ...figures,
    refusedAnswers: provider.answers,
    recoverySeconds: settled ? recoveredMs / 1000 : null,
    passed: figures.problems.length === 0,
  };
  const refused =
    Object.entries(provider.answers)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ') || 'none';
  log(
    `${result.passed ? 'PASS' : 'FAIL'} ${name}: ${result.acknowledged} acknowledged ` +
      `(answers sent again: ${refused}), recovered in ${result.recoverySeconds ?? '—'} s` +
      (result.problems.length ? `; ${result.problems.join('; ')}` : ''),
  );
  return result;
}

/** Hookgate's settings for the run: every timer short enough that a fault and its recovery take seconds. */
function hookgateEnv(options) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ADMIN_API_KEY: options.adminKey,
    STRIPE_WEBHOOK_SECRET: options.stripeSecret,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
    DELIVERY_RETRY_SCHEDULE: '200ms,500ms,1s,2s,3s',
    STUCK_EVENT_AFTER: '5s',
    PROCESSING_RETRY_DELAY_MS: '50',
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    OUTBOX_RELAY_INTERVAL_MS: '500',
    OUTBOX_RELAY_MIN_AGE_MS: '1000',
    ENDPOINT_BREAKER_COOLDOWN_MS: '1000',
    MANAGEMENT_RATE_LIMIT_PER_MINUTE: '100000',
  };
}

const DEFAULTS = {
  // The control row runs just before the hanging endpoint, so both see about the same load from elsewhere.
  scenarios: [
    'redis-killed',
    'worker-sigkill',
    'fifo-worker-sigkill',
    'api-sigkill',
    'postgres-restart',
    'postgres-outage',
    'worker-sigterm',
    'steady',
    'endpoint-hangs',
  ],
  rate: 40,
  leadMs: 3_000,
  streamMs: 8_000,
  settleTimeoutMs: 90_000,
  // Processing retries with PROCESSING_RETRY_DELAY_MS=50: 8 attempts, 50 ms doubling, about 6.4 s in all.
  postgresOutageMs: 12_000,
  healthyP95LimitMs: 1_000,
  /** Hookgate settings over the run's own (e.g. `{ ENDPOINT_BREAKER_COOLDOWN_MS: '30000' }`). */
  env: {},
  /** How long a (re)started Hookgate process may take to answer ready. */
  readyTimeoutMs: 60_000,
  /** PgBouncer in transaction mode between the roles and PostgreSQL (`--pgbouncer`). */
  pgbouncer: false,
  logDir: path.join(root, '.local', 'chaos', new Date().toISOString().replace(/[:.]/g, '-')),
  log: (line) => console.log(`[chaos] ${line}`),
};

/** Starts the cluster and the receiver; `run(name)` runs one scenario and returns its result; `close()` stops all. */
async function startChaos(overrides = {}) {
  const options = {
    ...DEFAULTS,
    adminKey: `chaos-admin-${crypto.randomBytes(8).toString('hex')}`,
    stripeSecret: `whsec_${crypto.randomBytes(16).toString('hex')}`,
    ...overrides,
  };
  const { log } = options;
  const receiver = new Receiver();
  await receiver.listen();
  log(`starting PostgreSQL, Redis, api and two workers (logs in ${options.logDir})`);
  // A cluster that fails to start closes itself; the receiver must close too, or its server keeps the run alive.
  const cluster = await startCluster({
    env: { ...hookgateEnv(options), ...options.env },
    logDir: options.logDir,
    readyTimeoutMs: options.readyTimeoutMs,
    pgbouncer: options.pgbouncer,
  }).catch(async (error) => {
    await receiver.close();
    throw error;
  });
  const management = new ManagementApi(() => `http://127.0.0.1:${cluster.api.port}`, options.adminKey);
  return {
    options,
    cluster,
    management,
    run(name) {
      if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
      log(`${name}: ${SCENARIOS[name].what}`);
      return runScenario(name, { cluster, receiver, management, options, log }).then((result) => {
        if (name === 'steady') options.controlP95Ms = result.healthyP95Ms;
        return result;
      });
    },
    async close() {
      await cluster.close();
      await receiver.close();
    },
  };
}

/** Runs the scenarios one after another on one cluster; returns one result per scenario. */
async function runChaos(overrides = {}) {
  const unknown = (overrides.scenarios ?? []).filter((name) => !SCENARIOS[name]);
  if (unknown.length) throw new Error(`unknown scenario ${unknown}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const chaos = await startChaos(overrides);
  const results = [];
  try {
    for (const name of chaos.options.scenarios) results.push(await chaos.run(name));
  } finally {
    await chaos.close();
  }
  return results;
}

/** The results as a fixed-width table, then `N passed, M failed` as the last line. */
function formatTable(results) {
  const header = [
    'scenario',
    'acked',
    'lost',
    'dup',
    'stranded',
    'deliveries',
    'redeliveries',
    'dead',
    'recovery s',
    'healthy p95 ms',
    'result',
  ];
  const rows = results.map((r) =>
    [
      r.name,
      r.acknowledged,
      r.lost,
      r.duplicated,
      r.stranded,
      r.deliveries,
      r.redeliveries,
      r.deadLettered,
      r.recoverySeconds?.toFixed(1) ?? '—',
      r.healthyP95Ms ?? '—',
      r.passed ? 'pass' : 'FAIL',
    ].map(String),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const passed = results.filter((r) => r.passed).length;
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `${passed} passed, ${results.length - passed} failed`,
  ].join('\n');
}

module.exports = { startChaos, runChaos, formatTable, SCENARIOS };
