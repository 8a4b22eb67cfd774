import { randomBytes } from 'node:crypto';
import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';

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

/** An api (acme signing, sealed secrets), one worker of its deployment, and a receiver: what most controls specs need. */
export interface ControlsCluster {
  api: TestApp;
  worker: HookgateProcess;
  receiver: TestReceiver;
  prisma: PrismaService;
}

export async function startControlsCluster(
  options: { env?: Record<string, string>; workerEnv?: Record<string, string> } = {},
): Promise<ControlsCluster> {
  const receiver = await TestReceiver.start();
  const api = await startTestApp({
    role: 'api',
    env: { ACME_WEBHOOK_SECRET: ACME_SECRET, SECRETS_ENCRYPTION_KEY: ENCRYPTION_KEY, ...options.env },
  }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  return { api, receiver, prisma: api.app.get(PrismaService), worker: spawnWorker(api, options.workerEnv) };
}

/** Stops what startControlsCluster started (any part may be missing when a start failed). */
export async function stopControlsCluster(cluster: Partial<Omit<ControlsCluster, 'prisma'>>): Promise<void> {
  await cluster.worker?.stop('SIGKILL');
  await cluster.api?.stop();
  await cluster.receiver?.close();
}
