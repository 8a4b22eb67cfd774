// Once per `jest` run: make sure PostgreSQL and Redis are reachable and that the migrated template database
// exists. Each test file then copies the template (CREATE DATABASE … TEMPLATE), which takes milliseconds.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');
const { ensureServices, migrate } = require('../../scripts/services');

function migrationsHash() {
  const dir = path.join(__dirname, '..', '..', 'prisma', 'migrations');
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name, 'migration.sql');
    if (fs.existsSync(file)) hash.update(name).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

module.exports = async function globalSetup() {
  if (!process.env.HOOKGATE_TEST_DATABASE_SERVER_URL || !process.env.REDIS_URL) {
    const services = await ensureServices({ database: 'hookgate_test' });
    process.env.HOOKGATE_TEST_DATABASE_SERVER_URL = services.serverUrl;
    process.env.REDIS_URL = services.redisUrl;
  }
  const serverUrl = process.env.HOOKGATE_TEST_DATABASE_SERVER_URL;
  const template = `hookgate_tpl_${migrationsHash()}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // Several Jest runs may start at once (developers, CI): one builds the template, the others wait for it.
    await client.query('SELECT pg_advisory_lock(424242)');
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datallowconn', [
      template,
    ]);
    if (!rowCount) {
      await client.query(`DROP DATABASE IF EXISTS "${template}"`);
      await client.query(`CREATE DATABASE "${template}"`);
      const url = new URL(serverUrl);
      url.pathname = `/${template}`;
      migrate(url.toString());
    }
    await client.query('SELECT pg_advisory_unlock(424242)');
  } finally {
    await client.end();
  }
  process.env.HOOKGATE_TEST_TEMPLATE_DATABASE = template;
  process.env.HOOKGATE_TEST_LOG_DIR = path.join(
    __dirname,
    '..',
    '..',
    '.local',
    'test-logs',
    `${Date.now()}-${process.pid}`,
  );
};
