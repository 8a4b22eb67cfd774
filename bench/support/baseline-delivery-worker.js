// The delivery benchmark's baseline: a BullMQ worker that, per job, does one SELECT, one signed POST (Standard
// Webhooks) and one UPDATE — the least a durable delivering worker does.
const { Pool } = require('pg');
const { Worker } = require('bullmq');
const { Webhook } = require('standardwebhooks');
const { Agent, request } = require('undici');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const redis = new URL(process.env.REDIS_URL);
const signer = new Webhook(process.env.SIGNING_SECRET);
const agent = new Agent({ connections: 64 });

const worker = new Worker(
  'baseline-processing',
  async (job) => {
    const { rows } = await pool.query('SELECT id, data FROM baseline_events WHERE id = $1', [job.data.id]);
    const payload = JSON.stringify({ id: rows[0].id, data: rows[0].data });
    const now = new Date();
    const response = await request(process.env.TARGET_URL, {
      method: 'POST',
      dispatcher: agent,
      body: payload,
      headers: {
        'content-type': 'application/json',
        'webhook-id': job.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(job.id, now, payload),
      },
    });
    await response.body.dump();
    await pool.query('UPDATE baseline_events SET delivered_at = now() WHERE id = $1', [job.data.id]);
  },
  {
    prefix: process.env.BENCH_REDIS_PREFIX,
    concurrency: Number(process.env.CONCURRENCY || 10),
    connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null },
  },
);
worker.on('ready', () => process.send?.('listening'));
process.on('SIGTERM', () =>
  worker
    .close()
    .then(() => Promise.all([pool.end(), agent.close()]))
    .then(() => process.exit(0)),
);
