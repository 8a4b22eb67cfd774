// Ingress throughput, as a ratio against a baseline measured in the same run on the same PostgreSQL:
//   baseline = one INSERT transaction per webhook straight through node-postgres (no HTTP, no verification),
//   hookgate = signed acme webhooks through POST /webhooks/acme of a real `node dist/main.js api` process.
// Run with `npm run bench` (starts local PostgreSQL/Redis when needed). Prints figures; asserts nothing.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const { Client, Pool } = require('pg');
const { migrate } = require('../scripts/services');

const TOTAL = Number(process.env.BENCH_WEBHOOKS || 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);
const SECRET = 'bench-acme-secret-0123456789';
const PORT = 3900 + Math.floor(Math.random() * 90);

async function withServer(work) {
  const client = new Client({ connectionString: process.env.HOOKGATE_TEST_DATABASE_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function pool(count, concurrency, task) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main() {
  const name = `hg_bench_${crypto.randomBytes(4).toString('hex')}`;
  await withServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(process.env.HOOKGATE_TEST_DATABASE_SERVER_URL);
  url.pathname = `/${name}`;
  migrate(url.toString());
  const api = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js'), 'api'], {
    env: { ...process.env, DATABASE_URL: url.toString(), PORT: String(PORT), ACME_WEBHOOK_SECRET: SECRET, HOOKGATE_REDIS_PREFIX: name, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; i < 100; i += 1) {
      if (await fetch(`http://127.0.0.1:${PORT}/health/ready`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const body = (i) => JSON.stringify({ id: `bench_${i}`, type: 'order.created', data: { n: i, pad: 'x'.repeat(600) } });

    const db = new Pool({ connectionString: url.toString(), max: CONCURRENCY });
    const { rows } = await db.query(`SELECT id FROM integrations WHERE slug = 'acme'`);
    const baselineSeconds = await pool(TOTAL, CONCURRENCY, async (i) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO raw_webhooks (id, integration_id, headers, body) VALUES (gen_random_uuid(), $1, '{}', $2)`, [rows[0].id, Buffer.from(body(i))]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    await db.end();

    const hookgateSeconds = await pool(TOTAL, CONCURRENCY, async (i) => {
      const payload = body(i);
      const response = await fetch(`http://127.0.0.1:${PORT}/webhooks/acme`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-acme-signature': crypto.createHmac('sha256', SECRET).update(payload).digest('hex') },
        body: payload,
      });
      if (response.status !== 202) throw new Error(`webhook ${i} answered ${response.status}`);
      await response.arrayBuffer();
    });

    const baseline = TOTAL / baselineSeconds;
    const hookgate = TOTAL / hookgateSeconds;
    console.log(`ingress: ${TOTAL} webhooks, concurrency ${CONCURRENCY}`);
    console.log(`  baseline (one INSERT transaction each, in-process): ${baseline.toFixed(0)}/s`);
    console.log(`  hookgate (HTTP + verify + dedup + durable write + enqueue): ${hookgate.toFixed(0)}/s`);
    console.log(`  ratio hookgate / baseline: ${(hookgate / baseline).toFixed(2)}`);
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await withServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
