import { request as httpRequest } from 'node:http';
import { createTestDatabase, TestDatabase } from '../support/database';
import { HookgateProcess } from '../support/hookgate-process';
import { freePort, PrivateRedis } from '../support/redis-server';
import { waitFor } from '../support/wait';

interface Answer {
  status: number;
  body: string;
}

function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const reachable = (port: number) =>
  get(port, '/health/live').then(
    () => true,
    () => false,
  );

describe('the three roles as real processes', () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  const running: HookgateProcess[] = [];

  const baseEnv = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    HOOKGATE_REDIS_PREFIX: 'roles-test',
    ADMIN_API_KEY: 'roles-test-admin-key-0123456789',
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
  });

  const launch = (args: string[], env: Record<string, string | undefined>) => {
    const child = HookgateProcess.spawn(args, env);
    running.push(child);
    return child;
  };

  beforeAll(async () => {
    [database, redis] = await Promise.all([createTestDatabase(), PrivateRedis.start()]);
  });

  afterAll(async () => {
    await Promise.all(running.map((child) => child.stop('SIGKILL')));
    await Promise.all([database?.drop(), redis?.destroy()]);
  });

  it('worker: serves no API routes, only the opt-in health port, and stops cleanly on SIGTERM', async () => {
    const [apiPort, healthPort] = [await freePort(), await freePort()];
    const worker = launch(['worker'], { ...baseEnv(), PORT: String(apiPort), WORKER_HEALTH_PORT: String(healthPort) });
    await waitFor(() => get(healthPort, '/health/ready').then((answer) => answer.status === 200), {
      timeoutMs: 30_000,
      what: 'worker readiness',
    });
    expect(JSON.parse((await get(healthPort, '/health/ready')).body).status).toBe('ok');
    const metrics = await get(healthPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('hookgate_dead_letters_total');
    expect(metrics.body).toContain('hookgate_queue_jobs{queue="delivery",state="waiting"}');
    expect((await get(healthPort, '/api/v1/events')).status).toBe(404);
    expect((await get(healthPort, '/webhooks/stripe')).status).toBe(404);
    expect(await reachable(apiPort)).toBe(false);
    expect(await worker.stop('SIGTERM')).toBe(0);
  });

  it('api: ready with PostgreSQL and Redis, 503 with details while Redis is down, ready again after', async () => {
    const port = await freePort();
    launch(['api'], { ...baseEnv(), PORT: String(port) });
    await waitFor(() => get(port, '/health/ready').then((answer) => answer.status === 200), {
      timeoutMs: 30_000,
      what: 'api readiness',
    });

    await redis.stop();
    const down = await waitFor(
      () => get(port, '/health/ready').then((answer) => (answer.status === 503 ? answer : undefined)),
      { timeoutMs: 10_000, what: '503' },
    );
    const body = JSON.parse(down.body);
    expect(body.status).toBe('error');
    expect(body.error.redis.status).toBe('down');
    expect(body.details.database.status).toBe('up');

    await redis.restart();
    await waitFor(() => get(port, '/health/ready').then((answer) => answer.status === 200), {
      timeoutMs: 15_000,
      what: 'recovery',
    });
  });

  it('all (the default role): one process serving HTTP and running the worker side', async () => {
    const port = await freePort();
    const all = launch([], { ...baseEnv(), PORT: String(port) });
    await waitFor(() => get(port, '/health/ready').then((answer) => answer.status === 200), {
      timeoutMs: 30_000,
      what: 'all readiness',
    });
    expect(all.text).toContain('role all listening');
  });

  it('start:prod without DATABASE_URL exits non-zero, naming the variable', async () => {
    const child = launch([], { REDIS_URL: redis.url });
    expect(await child.waitForExit()).not.toBe(0);
    expect(child.text).toContain('DATABASE_URL');
  });
});
