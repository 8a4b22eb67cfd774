// Local PostgreSQL and Redis on loopback for `npm start` and `npm test` when DATABASE_URL / REDIS_URL are unset.
// Data lives under .local/ (git-ignored) and is reused by the next run.
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.join(__dirname, '..');
const localDir = path.join(root, '.local');
// Both below Linux's ephemeral range (32768–60999) or above it: an outgoing connection can never be holding them.
const PG_PORT = Number(process.env.HOOKGATE_LOCAL_PG_PORT || 25432);
const REDIS_PORT = Number(process.env.HOOKGATE_LOCAL_REDIS_PORT || 63799);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** The postgres user's home (Debian): where a root-started PostgreSQL keeps its data. */
const POSTGRES_HOME = '/var/lib/postgresql';

function log(message) {
  console.log(`[hookgate] ${message}`);
}

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(base, versions[0], 'bin');
  }
  const pgCtl = which('pg_ctl');
  return pgCtl ? path.dirname(fs.realpathSync(pgCtl)) : null;
}

/** Installs Debian packages with apt-get when running as root; otherwise throws `instructions` (what to do instead). */
function aptInstall(packages, instructions) {
  if (!isRoot || !which('apt-get')) throw new Error(instructions);
  log(`installing ${packages.join(' ')} with apt-get (one time)…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function ensurePackages() {
  const missing = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!which('redis-server')) missing.push('redis-server');
  if (!missing.length) return;
  aptInstall(
    missing,
    `PostgreSQL and Redis are needed but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed.\n` +
      `Install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}), or set DATABASE_URL and REDIS_URL to existing servers.`,
  );
  // Debian starts its own cluster/server on install; ours run on their own ports, so theirs can stay.
}

/**
 * The console's browser tests drive Debian's chromium (playwright-core brings no browser): installed the same way
 * as PostgreSQL and Redis. CHROMIUM_PATH overrides.
 */
function ensureChromium() {
  if (process.env.CHROMIUM_PATH || which('chromium')) return;
  aptInstall(
    ['chromium'],
    'The console tests need Chromium: install it (Debian/Ubuntu: sudo apt-get install -y chromium), or set CHROMIUM_PATH.',
  );
}

/** The PgBouncer tests (test/scale-out/pgbouncer.e2e-spec.ts) run Debian's pgbouncer: installed the same way. */
function ensurePgBouncer() {
  if (which('pgbouncer') || fs.existsSync('/usr/sbin/pgbouncer')) return;
  aptInstall(
    ['pgbouncer'],
    'The PgBouncer tests need pgbouncer: install it (Debian/Ubuntu: sudo apt-get install -y pgbouncer).',
  );
  // Debian starts its own pgbouncer on install (port 6432); the tests run their own on their own ports.
}

/**
 * Where PostgreSQL keeps its data. As a normal user: `.local/postgres` in the checkout. As root, PostgreSQL must
 * run as `postgres`, which cannot enter a checkout under a mode-700 directory (root's home, `mktemp -d`), so the
 * data lives under the postgres user's home, keyed by the checkout's path, and `.local/postgres` links to it.
 */
function postgresDataDir() {
  if (!isRoot) return path.join(localDir, 'postgres');
  const checkoutKey = crypto.createHash('sha256').update(fs.realpathSync(root)).digest('hex').slice(0, 16);
  return path.join(POSTGRES_HOME, 'hookgate', checkoutKey);
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (PostgreSQL refuses to run as root). */
function pgRun(binary, args, options = {}) {
  const bin = path.join(postgresBinDir(), binary);
  // The working directory is one the postgres user can enter: initdb and pg_ctl change back into it.
  const common = { stdio: 'pipe', cwd: isRoot ? POSTGRES_HOME : root, ...options };
  if (isRoot) return execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], common);
  return execFileSync(bin, args, common);
}

/** Makes `.local/postgres` point at the data directory when it lives elsewhere (root), so it can be found. */
function linkDataDir(dataDir) {
  const link = path.join(localDir, 'postgres');
  if (link === dataDir) return;
  let current = null;
  try {
    current = fs.readlinkSync(link);
  } catch (error) {
    if (error.code === 'EINVAL') return; // a real directory from an older layout: left as it is
  }
  if (current === dataDir) return;
  if (current !== null) fs.unlinkSync(link);
  fs.symlinkSync(dataDir, link);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port} within ${timeoutMs / 1000}s`);
}

async function startPostgres() {
  const dataDir = postgresDataDir();
  fs.mkdirSync(localDir, { recursive: true });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', path.dirname(dataDir)]);
    log(`initialising PostgreSQL data directory ${dataDir}`);
    pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  }
  linkDataDir(dataDir);
  if (await portOpen(PG_PORT)) return;
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  const options = `-p ${PG_PORT} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on -c shared_buffers=128MB`;
  const logFile = path.join(dataDir, 'server.log');
  for (let attempt = 1; ; attempt += 1) {
    try {
      pgRun('pg_ctl', ['-D', dataDir, '-o', options, '-l', logFile, '-w', '-t', '60', 'start']);
      break;
    } catch (error) {
      // A port someone chose (HOOKGATE_LOCAL_PG_PORT) may be briefly held by another socket: wait and try again.
      const busy = /Address already in use/.test(fs.readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n'));
      if (!busy || attempt >= 5) throw error;
      log(`port ${PG_PORT} is busy; trying again`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  await waitForPort(PG_PORT, 'PostgreSQL');
  log(`PostgreSQL listening on 127.0.0.1:${PG_PORT}`);
}

async function startRedis() {
  if (await portOpen(REDIS_PORT)) return;
  const dataDir = path.join(localDir, 'redis');
  fs.mkdirSync(dataDir, { recursive: true });
  execFileSync(which('redis-server'), [
    '--port',
    String(REDIS_PORT),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--daemonize',
    'yes',
    '--pidfile',
    path.join(dataDir, 'redis.pid'),
    '--logfile',
    path.join(dataDir, 'redis.log'),
    '--appendonly',
    'yes',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ]);
  await waitForPort(REDIS_PORT, 'Redis');
  log(`Redis listening on 127.0.0.1:${REDIS_PORT}`);
}

function createDatabaseIfMissing(serverUrl, name) {
  const { Client } = require('pg');
  return (async () => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
  })();
}

/**
 * Makes sure DATABASE_URL and REDIS_URL point at running servers: the given ones, or local ones started here.
 * Returns { databaseUrl, redisUrl, serverUrl, startedLocally }: serverUrl is the maintenance database of the same
 * server; startedLocally names the local services that run in the background (whether this call or an earlier one
 * started them).
 */
async function ensureServices({ database = 'hookgate' } = {}) {
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  const startedLocally = [];
  if (!databaseUrl || !redisUrl) ensurePackages();
  if (!databaseUrl) {
    await startPostgres();
    startedLocally.push(`PostgreSQL (127.0.0.1:${PG_PORT})`);
    const serverUrl = `postgresql://postgres@127.0.0.1:${PG_PORT}/postgres`;
    await createDatabaseIfMissing(serverUrl, database);
    databaseUrl = `postgresql://postgres@127.0.0.1:${PG_PORT}/${database}`;
  }
  if (!redisUrl) {
    await startRedis();
    startedLocally.push(`Redis (127.0.0.1:${REDIS_PORT})`);
    redisUrl = `redis://127.0.0.1:${REDIS_PORT}`;
  }
  const server = new URL(databaseUrl);
  server.pathname = '/postgres';
  return { databaseUrl, redisUrl, serverUrl: server.toString(), startedLocally };
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function waitForExit(pid, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** `npm run stop`: stops the PostgreSQL and Redis started here (their data stays). Returns what it stopped. */
async function stopServices() {
  const stopped = [];
  const dataDir = postgresDataDir();
  if (postgresBinDir() && fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
    pgRun('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    stopped.push('PostgreSQL');
  }
  const pidFile = path.join(localDir, 'redis', 'redis.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (processAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitForExit(pid))) throw new Error(`Redis (pid ${pid}) did not stop within 30 s`);
      stopped.push('Redis');
    }
    fs.rmSync(pidFile, { force: true });
  }
  return stopped;
}

function migrate(databaseUrl) {
  execFileSync(
    process.execPath,
    ['--experimental-wasm-modules', '--disable-warning=ExperimentalWarning', path.join(__dirname, 'migrate.js')],
    {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: databaseUrl },
    },
  );
}

module.exports = {
  ensureServices,
  ensurePackages,
  ensureChromium,
  ensurePgBouncer,
  stopServices,
  migrate,
  createDatabaseIfMissing,
  postgresBinDir,
  pgRun,
  isRoot,
  POSTGRES_HOME,
  portOpen,
  waitForPort,
  localDir,
  root,
  log,
};
