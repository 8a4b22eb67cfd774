// The minimal durable baseline of the ingest benchmark: a bare node:http server that parses the JSON body, does one
// INSERT … ON CONFLICT DO NOTHING and one BullMQ add per request, then answers 202. No verification, no framework.
const http = require('node:http');
const { Pool } = require('pg');
const { Queue } = require('bullmq');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const redis = new URL(process.env.REDIS_URL);
const queue = new Queue('baseline-processing', {
  prefix: process.env.BENCH_REDIS_PREFIX,
  connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null },
});

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      await pool.query('INSERT INTO baseline_events (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        event.id,
        event,
      ]);
      await queue.add('process-event', { id: event.id }, { removeOnComplete: true });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    } catch (error) {
      res.writeHead(500).end(String(error.message));
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('listening'));
process.on('SIGTERM', () => server.close(() => Promise.all([pool.end(), queue.close()]).then(() => process.exit(0))));
