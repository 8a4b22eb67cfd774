import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { StartedApp, start } from '../../src/bootstrap/start';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/observability/logging/logger.factory';
import { createTestDatabase, TestDatabase } from './database';

export const TEST_ADMIN_KEY = 'hg_test_admin_key_0123456789abcdef';

export interface TestApp extends StartedApp {
  config: AppConfig;
  database: TestDatabase;
  /** Every log record the app wrote, for assertions (e.g. that no secret was logged). */
  logs: Record<string, unknown>[];
  /** Stops the app and drops its database. */
  stop(): Promise<void>;
}

const SECRET_VARIABLE = /SECRET|TOKEN|API_KEY|WEBHOOK_ID/;

/** Leaves the app's log lines and configured secrets for the run's global teardown, which fails on any leak. */
function keepLogsForTheSecretScan(
  logs: Record<string, unknown>[],
  role: string,
  env: Record<string, string | undefined>,
): void {
  const dir = process.env.HOOKGATE_TEST_LOG_DIR;
  if (!dir) return;
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_VARIABLE.test(name) && value)
    .map(([, value]) => value as string);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${role}-${process.pid}-${randomBytes(4).toString('hex')}.json`),
    JSON.stringify({ secrets, logs }),
  );
}

export interface TestAppOptions {
  role?: 'api' | 'worker' | 'all';
  env?: Record<string, string | undefined>;
  /** Reuse a database (e.g. an api and a worker of one deployment); a new one is created otherwise. */
  database?: TestDatabase;
  /** Share Redis keys with another app of the same deployment. */
  redisPrefix?: string;
}

/** Deletes every key under `prefix` (SCAN, so the server is never blocked on a large keyspace). */
async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1_000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } catch {
    // Redis stopped by the test itself: nothing to clean.
  } finally {
    redis.disconnect();
  }
}

/** Boots Hookgate in-process on a free port, with its own database and Redis key prefix. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const prefix = options.redisPrefix ?? `hgtest-${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL,
    PORT: '0',
    APP_ROLE: options.role ?? 'all',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    HOOKGATE_REDIS_PREFIX: prefix,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
    DELIVERY_RETRY_SCHEDULE: '50ms,100ms,150ms',
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.role, 'debug', {
    console: Boolean(process.env.HOOKGATE_TEST_LOGS),
    sink: (record) => logs.push(record),
  });
  const started = await start(config, logger);
  const ownsDatabase = !options.database;
  return {
    ...started,
    config,
    database,
    logs,
    stop: async () => {
      await started.close();
      keepLogsForTheSecretScan(logs, config.role, { ADMIN_API_KEY: TEST_ADMIN_KEY, ...options.env });
      if (ownsDatabase) await database.drop();
      // Like the database, the app's Redis keys go with it (a long-lived local Redis would keep every run's jobs).
      if (!options.redisPrefix && config.redis.url === process.env.REDIS_URL)
        await dropRedisPrefix(config.redis.url, prefix);
    },
  };
}
