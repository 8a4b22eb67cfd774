import { randomBytes } from 'node:crypto';
import { HookgateProcess } from '../support/hookgate-process';
import { TestApp } from '../support/test-app';

/** One key for the api and its workers: endpoint secrets and auth are sealed with it at rest. */
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** A real `node dist/main.js worker` of the api's deployment (same database, same Redis prefix). */
export function spawnWorker(api: TestApp, env: Record<string, string> = {}): HookgateProcess {
  return HookgateProcess.spawn(['worker'], {
    DATABASE_URL: api.database.url,
    REDIS_URL: process.env.REDIS_URL,
    HOOKGATE_REDIS_PREFIX: api.config.redis.prefix,
    SECRETS_ENCRYPTION_KEY: ENCRYPTION_KEY,
    DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
    DELIVERY_RETRY_SCHEDULE: '200ms,400ms',
    LOG_LEVEL: 'warn',
    ...env,
  });
}
