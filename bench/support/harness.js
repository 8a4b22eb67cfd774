// What every benchmark needs: a fresh migrated database on the local server, real processes, their peak RSS and CPU
// time, and autocannon rounds. Benchmarks print figures and ratios against a baseline measured in the same run; they
// assert nothing.
const { fork, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const Redis = require('ioredis');
const { Client } = require('pg');
const { migrate } = require('../../scripts/services');

// BENCH_MAIN_JS runs another build (e.g. of the previous commit) through the same bench, for an A/B comparison.
const mainJs = process.env.BENCH_MAIN_JS || path.join(__dirname, '..', '..', 'dist', 'main.js');

async function onServer(work) {
  const client = new Client({ connectionString: process.env.HOOKGATE_TEST_DATABASE_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new migrated database whose name also prefixes the run's Redis keys (Hookgate's and the baselines'); `drop()`
 * removes both, so runs do not pile up jobs in the shared Redis (a fat Redis slows every later run).
 */
async function benchDatabase() {
  const name = `hg_bench_${crypto.randomBytes(4).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(process.env.HOOKGATE_TEST_DATABASE_SERVER_URL);
  url.pathname = `/${name}`;
  migrate(url.toString());
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      await unlinkRedisKeys(`*${name}*`);
    },
  };
}

/**
 * Writes every dirty page now, so the measured phase that follows does not share the machine with a checkpoint that
 * another phase's WAL started: one at a random moment costs that phase the checkpointer's writes and, afterwards,
 * a full-page image in the WAL for the first change of every page. Each phase starts from the same state.
 */
function checkpoint() {
  return onServer((client) => client.query('CHECKPOINT'));
}

/**
 * What autovacuum does within its first minute on any database that receives writes (ANALYZE after 50 rows and 10 %
 * more), done now: a run lasts less than autovacuum's nap, so without it every plan of the run would be made on
 * tables PostgreSQL has never measured, as in the first minute of an install rather than on a running gateway.
 */
async function analyze(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function unlinkRedisKeys(pattern) {
  const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Peak resident memory of a process, sampled every 100 ms while `sampling` is on. */
function rssSampler(pid) {
  let peakKb = 0;
  const read = () => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // process gone
    }
  };
  const timer = setInterval(read, 100);
  return { peakMb: () => (read(), peakKb / 1024), stop: () => clearInterval(timer) };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds of one process from /proc, with those of the children it has reaped (`withReaped`). */
function processCpuSeconds(pid, withReaped = false) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state [0], ppid [1], utime [11], stime [12], cutime [13],
    // cstime [14].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (withReaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return { ppid: Number(fields[1]), seconds: ticks / CLOCK_TICKS };
  } catch {
    return null; // gone
  }
}

/**
 * CPU time spent by PostgreSQL (the postmaster, its live children and those it has reaped: backends of finished
 * connections), Redis and the given processes. Per event it is far steadier than throughput on a shared machine, and
 * it says which process a difference comes from. Linux only (`/proc`); null elsewhere.
 */
async function cpuMeter(databaseUrl) {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  // Read while the connection is open: its backend process exits with it.
  const backend = await client.query('SELECT pg_backend_pid() AS pid');
  const postmaster = processCpuSeconds(backend.rows[0].pid)?.ppid;
  await client.end();
  const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const info = await redis.info('server').finally(() => redis.disconnect());
  const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!postmaster || !processCpuSeconds(redisPid)) return null; // a server on another machine
  const postgresSeconds = () => {
    let seconds = processCpuSeconds(postmaster, true).seconds;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = processCpuSeconds(entry);
      if (child?.ppid === postmaster) seconds += child.seconds;
    }
    return seconds;
  };
  /** Starts a measurement of `pids` ({name: pid}); `perEvent(n)` answers µs per event by name, with postgres and redis. */
  return (pids) => {
    const read = () => ({
      postgres: postgresSeconds(),
      redis: processCpuSeconds(redisPid).seconds,
      ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)?.seconds ?? 0])),
    });
    const start = read();
    return {
      perEvent: (events) => {
        const end = read();
        return Object.fromEntries(Object.keys(start).map((name) => [name, ((end[name] - start[name]) * 1e6) / events]));
      },
    };
  };
}

/** A Hookgate role as a real process from dist/, ready when its health answers. */
async function startHookgate(role, env) {
  const port = await freePort();
  const healthPort = role === 'worker' ? await freePort() : undefined;
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the Hookgate processes of a run.
  const nodeArgs = (process.env.BENCH_NODE_ARGS || '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, mainJs, role], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      PORT: String(port),
      ...(healthPort ? { WORKER_HEALTH_PORT: String(healthPort) } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.add(child);
  const url = `http://127.0.0.1:${healthPort ?? port}`;
  await waitUntil(async () => (await fetch(`${url}/health/ready`)).ok, `hookgate ${role}`);
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** A plain Node script as a child process; resolves once it says 'listening' (or at once when it listens on nothing). */
async function startScript(file, env, { waitForListening = true } = {}) {
  const child = fork(file, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  started.add(child);
  if (waitForListening)
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited with ${code}`)));
    });
  return { child, stop: () => stopChild(child) };
}

/** Every process a run started: killed when the run exits, even after a failure to start the next one. */
const started = new Set();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

module.exports = {
  analyze,
  benchDatabase,
  checkpoint,
  cpuMeter,
  freePort,
  waitUntil,
  rssSampler,
  startHookgate,
  startScript,
  stopChild,
  fmt,
};
