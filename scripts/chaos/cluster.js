// The real processes a chaos run breaks: its own PostgreSQL and Redis (own data, own ports in 17000–19999, so
// they can be stopped and killed without touching anyone else's), one `api` and two `worker`s from dist/main.js.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { migrate, pgRun, isRoot, POSTGRES_HOME, waitForPort, root } = require('../services');

const mainJs = path.join(root, 'dist', 'main.js');
/**
 * Ports of the chaos run's own servers: below Linux's ephemeral range (32768–60999), where the kernel never hands one
 * to an outgoing connection. Inside it, a client retrying a stopped PostgreSQL's port can be given that very port
 * (TCP connects to itself), and the restarted server then cannot bind it. Apart from the test servers' 20000–31999.
 */
const PORT_RANGE = { from: 17_000, to: 19_999 };

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const takenPorts = new Set();
async function freePort() {
  for (;;) {
    const port = PORT_RANGE.from + crypto.randomInt(PORT_RANGE.to - PORT_RANGE.from + 1);
    if (!takenPorts.has(port) && (await portFree(port))) {
      takenPorts.add(port);
      return port;
    }
  }
}

async function waitUntil(probe, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(probe)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child, timeoutMs) {
  if (exited(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pid ${child.pid} still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A PostgreSQL server of the run's own; as root it runs as `postgres`, with its data under that user's home. */
class ChaosPostgres {
  constructor(dataDir, port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  static async create() {
    const base = isRoot ? path.join(POSTGRES_HOME, 'hookgate-chaos') : os.tmpdir();
    fs.mkdirSync(base, { recursive: true });
    const dataDir = fs.mkdtempSync(path.join(base, 'pg-'));
    if (isRoot) spawnSync('chown', ['-R', 'postgres:postgres', base]);
    pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const postgres = new ChaosPostgres(dataDir, await freePort());
    await postgres.start();
    return postgres;
  }

  get serverUrl() {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start() {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    pgRun('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      path.join(this.dataDir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    await waitForPort(this.port, 'chaos PostgreSQL');
  }

  /** `immediate` is a crash (no checkpoint; recovery from the WAL at the next start), `fast` a clean stop. */
  stop(mode = 'immediate') {
    pgRun('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  destroy() {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A Redis server of the run's own, with an append-only file so a restart after SIGKILL keeps most of its data. */
class ChaosRedis {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
  }

  static async create() {
    const redis = new ChaosRedis(fs.mkdtempSync(path.join(os.tmpdir(), 'hookgate-chaos-redis-')), await freePort());
    await redis.start();
    return redis;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'yes',
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPort(this.port, 'chaos Redis');
  }

  async kill() {
    if (!this.child || exited(this.child)) return;
    this.child.kill('SIGKILL');
    await waitForExit(this.child, 10_000);
  }

  async destroy() {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * PgBouncer (Debian's) in transaction mode between the roles and the run's PostgreSQL: every transaction may run on
 * any of a few server connections. As root it runs as `postgres` (it refuses to run as root).
 */
class ChaosPgBouncer {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
  }

  static async create(postgresPort) {
    const base = isRoot ? path.join(POSTGRES_HOME, 'hookgate-chaos') : os.tmpdir();
    fs.mkdirSync(base, { recursive: true });
    const bouncer = new ChaosPgBouncer(fs.mkdtempSync(path.join(base, 'pgbouncer-')), await freePort());
    fs.writeFileSync(path.join(bouncer.dir, 'userlist.txt'), '"postgres" ""\n');
    fs.writeFileSync(
      bouncer.configFile,
      [
        '[databases]',
        `* = host=127.0.0.1 port=${postgresPort}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${bouncer.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(bouncer.dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        // Fewer server connections than the roles' pools hold clients: transactions share them.
        'default_pool_size = 8',
        'max_client_conn = 500',
        'admin_users = postgres',
        `logfile = ${path.join(bouncer.dir, 'pgbouncer.log')}`,
        `pidfile = ${path.join(bouncer.dir, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    if (isRoot) spawnSync('chown', ['-R', 'postgres:postgres', bouncer.dir]);
    return bouncer;
  }

  get configFile() {
    return path.join(this.dir, 'pgbouncer.ini');
  }

  url(database) {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start() {
    const binary = pgBouncerBinary();
    this.child = isRoot
      ? spawn('runuser', ['-u', 'postgres', '--', binary, this.configFile], { stdio: 'ignore' })
      : spawn(binary, [this.configFile], { stdio: 'ignore' });
    await waitForPort(this.port, 'chaos PgBouncer');
  }

  /** SHOW POOLS on PgBouncer's admin console (simple protocol only, as pg uses for a query without values). */
  async pools() {
    const { Client } = require('pg');
    const admin = new Client({ connectionString: this.url('pgbouncer') });
    await admin.connect();
    try {
      return (await admin.query('SHOW POOLS')).rows;
    } finally {
      await admin.end();
    }
  }

  async destroy() {
    const pidFile = path.join(this.dir, 'pgbouncer.pid');
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (this.child && !exited(this.child))
      await waitForExit(this.child, 10_000).catch(() => this.child.kill('SIGKILL'));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Debian installs pgbouncer in /usr/sbin, which a non-root PATH may lack. */
function pgBouncerBinary() {
  const found = spawnSync('sh', ['-c', 'command -v pgbouncer || ls /usr/sbin/pgbouncer'], { encoding: 'utf8' });
  const binary = found.stdout.trim().split('\n')[0];
  if (found.status !== 0 || !binary)
    throw new Error('pgbouncer is not installed (npm test installs it when run as root)');
  return binary;
}

/** One Hookgate role as `node dist/main.js <role>`; its output goes to a log file of the run. */
class HookgateRole {
  constructor(name, role, env, logDir, readyTimeoutMs) {
    Object.assign(this, { name, role, env, logDir, readyTimeoutMs, starts: 0 });
  }

  get healthUrl() {
    return `http://127.0.0.1:${this.healthPort}/health/ready`;
  }

  async start() {
    if (!fs.existsSync(mainJs)) throw new Error('dist/main.js is missing: run `npm run build` first');
    this.port ??= await freePort();
    this.healthPort ??= this.role === 'worker' ? await freePort() : this.port;
    this.starts += 1;
    const log = fs.openSync(path.join(this.logDir, `${this.name}.log`), 'a');
    const env = { PATH: process.env.PATH, ...this.env, PORT: String(this.port), APP_ROLE: this.role };
    if (this.role === 'worker') env.WORKER_HEALTH_PORT = String(this.healthPort);
    this.child = spawn(process.execPath, [mainJs, this.role], { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const child = this.child;
    // A process that dies while starting ends the wait at once, with its exit in the error.
    await waitUntil(
      async () => exited(child) || (await fetch(this.healthUrl, { signal: AbortSignal.timeout(2_000) })).ok,
      `${this.name} to be ready`,
      this.readyTimeoutMs,
    );
    if (exited(child)) throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}) while starting`);
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code (null when killed by a signal). */
  async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
    if (!this.child || exited(this.child)) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return waitForExit(this.child, timeoutMs);
  }
}

/** Everything a chaos run needs, started; `close()` stops and removes it all (so does a failure to start). */
async function startCluster({ env, logDir, readyTimeoutMs = 60_000, pgbouncer = false }) {
  fs.mkdirSync(logDir, { recursive: true });
  const started = { roles: [] };
  const close = async () => {
    await Promise.all(started.roles.map((role) => role.stop('SIGKILL').catch(() => undefined)));
    await started.redis?.destroy();
    await started.pgbouncer?.destroy();
    started.postgres?.destroy();
  };
  try {
    const postgres = (started.postgres = await ChaosPostgres.create());
    const redis = (started.redis = await ChaosRedis.create());
    const { Client } = require('pg');
    const admin = new Client({ connectionString: postgres.serverUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE hookgate');
    await admin.end();
    const databaseUrl = postgres.serverUrl.replace(/\/postgres$/, '/hookgate');
    // Migrations (a session-level advisory lock) and the run's own reads of the outcome go to PostgreSQL directly.
    migrate(databaseUrl);
    const bouncer = pgbouncer ? (started.pgbouncer = await ChaosPgBouncer.create(postgres.port)) : undefined;
    // Started once it is known to `close()`, so a PgBouncer that fails to start is stopped and removed too.
    await bouncer?.start();
    const shared = {
      ...env,
      DATABASE_URL: bouncer ? bouncer.url('hookgate') : databaseUrl,
      ...(bouncer ? { DATABASE_PREPARED_STATEMENTS: 'false' } : {}),
      REDIS_URL: redis.url,
    };
    const api = new HookgateRole('api', 'api', shared, logDir, readyTimeoutMs);
    const workers = ['worker-1', 'worker-2'].map(
      (name) => new HookgateRole(name, 'worker', shared, logDir, readyTimeoutMs),
    );
    started.roles.push(api, ...workers);
    await Promise.all(started.roles.map((role) => role.start()));
    return { postgres, redis, pgbouncer: bouncer, api, workers, databaseUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

module.exports = { startCluster, waitUntil, freePort, PORT_RANGE };
