#!/usr/bin/env node
// `npm start` and `npm test` on a machine with only Node and npm: local PostgreSQL and Redis are started on
// loopback when DATABASE_URL / REDIS_URL are unset (see scripts/services.js).
//   node scripts/local-stack.js start   build, migrate, seed the built-in integrations, run role `all`
//   node scripts/local-stack.js test    build, type-check, then the whole Jest suite
//   node scripts/local-stack.js bench   the benchmarks (figures printed as ratios against a same-run baseline)
//   node scripts/local-stack.js chaos   fault injection against real processes (scripts/chaos.js)
//   node scripts/local-stack.js stop    stop the local PostgreSQL and Redis (their data stays in .local/)
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {
  ensureServices,
  ensurePackages,
  ensureChromium,
  ensurePgBouncer,
  stopServices,
  migrate,
  localDir,
  root,
  log,
} = require('./services');

const npmCli = process.env.npm_execpath;

function run(command, args, env = process.env) {
  execFileSync(command, args, { stdio: 'inherit', cwd: root, env });
}

function npmRun(script, env) {
  if (npmCli) run(process.execPath, [npmCli, 'run', '--silent', script], env);
  else run('npm', ['run', '--silent', script], env);
}

/** Development secrets, generated once and kept in .local/ so webhooks signed yesterday still verify today. */
function devSecrets() {
  const file = path.join(localDir, 'dev-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const random = (bytes) => crypto.randomBytes(bytes).toString('hex');
  const secrets = {
    adminApiKey: `hg_dev_${random(16)}`,
    stripe: `whsec_${random(16)}`,
    github: random(20),
    paypal: `WH-DEV-${random(8).toUpperCase()}`,
    acme: random(24),
    globex: random(24),
  };
  fs.mkdirSync(localDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function startCommand() {
  const { databaseUrl, redisUrl, startedLocally } = await ensureServices({ database: 'hookgate' });
  // HOOKGATE_SKIP_BUILD: the local-stack test runs a copy of an already built tree.
  if (!process.env.HOOKGATE_SKIP_BUILD) {
    log('building…');
    npmRun('build');
  }
  migrate(databaseUrl);
  const secrets = devSecrets();
  const port = Number(process.env.PORT || 3000);
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORT: String(port),
    APP_ROLE: 'all',
    ADMIN_API_KEY: process.env.ADMIN_API_KEY || secrets.adminApiKey,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || secrets.stripe,
    GITHUB_WEBHOOK_SECRET: process.env.GITHUB_WEBHOOK_SECRET || secrets.github,
    PAYPAL_WEBHOOK_ID: process.env.PAYPAL_WEBHOOK_ID || secrets.paypal,
    ACME_WEBHOOK_SECRET: process.env.ACME_WEBHOOK_SECRET || secrets.acme,
    GLOBEX_WEBHOOK_TOKEN: process.env.GLOBEX_WEBHOOK_TOKEN || secrets.globex,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: process.env.DELIVERY_ALLOW_PRIVATE_NETWORKS || 'true',
  };
  const app = spawn(process.execPath, [path.join(root, 'dist', 'main.js'), 'all'], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
  app.on('exit', (code) => {
    if (startedLocally.length) {
      log(`the gateway stopped; ${startedLocally.join(' and ')} keep running in the background (data in .local/).`);
      log('stop them with: npm run stop');
    }
    process.exit(code ?? 0);
  });
  const { seedDemo } = require('./demo');
  await seedDemo({ baseUrl: `http://127.0.0.1:${port}`, env, secrets });
}

async function testCommand() {
  checkLockFile();
  const { serverUrl, redisUrl } = await ensureServices({ database: 'hookgate_test' });
  ensureChromium();
  ensurePgBouncer();
  log('building and type-checking…');
  npmRun('build');
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  // The whole suite also lints and checks the format; a run of chosen specs (`npm test -- path`) skips them.
  const lint = process.argv.length <= 3 ? startLint() : undefined;
  const env = { ...process.env, HOOKGATE_TEST_DATABASE_SERVER_URL: serverUrl, REDIS_URL: redisUrl, NODE_ENV: 'test' };
  delete env.DATABASE_URL;
  let failure;
  try {
    run(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(3)], env);
  } catch (error) {
    failure = error;
  }
  if (lint && (await lint.finished) !== 0) failure ??= new Error('lint or format check failed (see above)');
  if (failure) throw failure;
}

/**
 * ESLint and Prettier beside Jest rather than before it, at the lowest CPU priority: the e2e specs mostly wait on
 * processes and sockets, and lint takes the CPU they leave (a minute of the suite's time on two cores). Its output
 * goes to a file, printed when it ends.
 */
function startLint() {
  log('linting (ESLint) and checking the format (Prettier) beside the tests, at low priority…');
  fs.mkdirSync(localDir, { recursive: true });
  const logFile = path.join(localDir, 'lint.log');
  const output = fs.openSync(logFile, 'w');
  const npm = npmCli ? [process.execPath, npmCli] : ['npm'];
  const command = [...npm, 'run', '--silent', 'lint'];
  const niced = spawnSync('nice', ['true']).status === 0;
  const child = spawn(niced ? 'nice' : command[0], niced ? ['-n', '19', ...command] : command.slice(1), {
    cwd: root,
    stdio: ['ignore', output, output],
  });
  const finished = new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => {
      fs.closeSync(output);
      const text = fs.readFileSync(logFile, 'utf8').trim();
      log(code === 0 ? 'lint and format: clean' : `lint and format failed:\n${text}`);
      resolve(code ?? 1);
    });
  });
  return { finished };
}

/** `npm ci` refuses a lock file out of step with package.json; so does the suite, before it spends any time. */
function checkLockFile() {
  const args = ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'];
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: root, encoding: 'utf8' })
    : spawnSync('npm', args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    const reason = `${result.stderr}`
      .split('\n')
      .filter((line) => /Missing|Invalid|in sync/.test(line))
      .slice(0, 8)
      .join('\n');
    throw new Error(
      `package-lock.json is out of step with package.json (npm ci would fail):\n${reason}\nRun \`npm install\` and commit package-lock.json.`,
    );
  }
}

async function stopCommand() {
  const stopped = await stopServices();
  log(stopped.length ? `stopped ${stopped.join(' and ')}; data stays in .local/` : 'nothing was running');
}

async function benchCommand() {
  const { serverUrl, redisUrl } = await ensureServices({ database: 'hookgate_bench' });
  npmRun('build');
  const env = { ...process.env, HOOKGATE_TEST_DATABASE_SERVER_URL: serverUrl, REDIS_URL: redisUrl };
  for (const file of fs
    .readdirSync(path.join(root, 'bench'))
    .filter((f) => f.endsWith('.bench.js'))
    // BENCH_ONLY=delivery runs one benchmark (bench/delivery.bench.js) instead of all of them.
    .filter((f) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(f.replace('.bench.js', '')))
    .sort()) {
    run(process.execPath, [path.join(root, 'bench', file)], env);
  }
}

/** The chaos run starts its own PostgreSQL and Redis (it stops and kills them), so it only needs them installed. */
async function chaosCommand() {
  ensurePackages();
  npmRun('build');
  // Its exit code is passed on as it is: its last line must stay `N passed, M failed`, with nothing after it.
  const chaos = spawnSync(process.execPath, [path.join(root, 'scripts', 'chaos.js')], { stdio: 'inherit', cwd: root });
  process.exitCode = chaos.status ?? 1;
}

const commands = {
  start: startCommand,
  test: testCommand,
  bench: benchCommand,
  chaos: chaosCommand,
  stop: stopCommand,
};
const command = commands[process.argv[2]];
if (!command) {
  console.error('usage: node scripts/local-stack.js start|test|bench|chaos|stop');
  process.exit(2);
}
command().catch((error) => {
  console.error(`[hookgate] ${error.message}`);
  process.exit(typeof error.status === 'number' ? error.status || 1 : 1);
});
