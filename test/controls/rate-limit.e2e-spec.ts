import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET, createEndpoint, sendAcme } from '../delivery/support';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ENCRYPTION_KEY, spawnWorker } from './support';

const RATE = 20;
const EVENTS = 120;

/** The most arrivals inside any window of `windowMs` (sliding over the sorted arrival times). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('endpoint controls: rateLimitPerSecond across two worker processes (contract §6.6)', () => {
  let api: TestApp;
  const workers: HookgateProcess[] = [];
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    api = await startTestApp({
      role: 'api',
      env: { ACME_WEBHOOK_SECRET: ACME_SECRET, SECRETS_ENCRYPTION_KEY: ENCRYPTION_KEY },
    });
    prisma = api.app.get(PrismaService);
    workers.push(spawnWorker(api, { DELIVERY_CONCURRENCY: '20' }), spawnWorker(api, { DELIVERY_CONCURRENCY: '20' }));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.stop();
    await receiver?.close();
  });

  it(`holds ${RATE}/s within 10 % across both workers, without using attempts, and does not slow another endpoint`, async () => {
    const limited = await createEndpoint(api.url!, {
      url: receiver.url('/limited'),
      filter: { eventTypes: ['burst.*'] },
      rateLimitPerSecond: RATE,
      maxAttempts: 1,
    });
    expect(limited).toMatchObject({ rateLimitPerSecond: RATE });
    await createEndpoint(api.url!, { url: receiver.url('/free'), filter: { eventTypes: ['burst.*'] } });

    const sentAt = Date.now();
    for (let batch = 0; batch < EVENTS / 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, (_, index) => sendAcme(api.url!, `burst_${batch}_${index}`, 'burst.now')),
      );
    }
    await waitFor(() => receiver.requestsTo('/free').length === EVENTS, {
      timeoutMs: 30_000,
      what: 'every delivery to the endpoint without a limit',
    });
    const freeDoneAfterMs = Date.now() - sentAt;
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: limited.id, status: 'succeeded' } })) === EVENTS,
      { timeoutMs: 40_000, intervalMs: 200, what: 'every throttled delivery' },
    );

    const arrivals = receiver.requestsTo('/limited').map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(EVENTS);
    // Never more than the cap of attempts started in any second (10 % tolerance for the way from Redis's clock to the
    // workers'), by the start times the workers recorded: at the receiver, two busy cores' scheduling bunches arrivals
    // that left on time ...
    const attemptStarts = (
      await prisma.deliveryAttempt.findMany({
        where: { delivery: { endpointId: limited.id } },
        select: { startedAt: true },
      })
    ).map((attempt) => attempt.startedAt.getTime());
    expect(attemptStarts).toHaveLength(EVENTS);
    expect(busiestWindow(attemptStarts, 1000)).toBeLessThanOrEqual(Math.floor(RATE * 1.1));
    // ... and the receiver, too, never saw much more than the cap in any second ...
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(Math.floor(RATE * 1.5));
    // ... and the cap is used: the backlog drains at the limit (attempts are paced evenly), not well below it. Measured
    // between the 10th and 90th percentile arrivals, i.e. while the backlog exists (the first events are still being
    // ingested and fanned out when the first deliveries go).
    const sorted = [...arrivals].sort((a, b) => a - b);
    const [from, to] = [Math.floor(EVENTS * 0.1), Math.floor(EVENTS * 0.9)];
    const spanSeconds = (sorted[to] - sorted[from]) / 1000;
    const rate = (to - from) / spanSeconds;
    // The log's window is 1.05 s, so the pace is at most RATE / 1.05 (19.0/s here): 18.4–19.0/s on a quiet machine,
    // below 18 beside the rest of the suite on two cores (jobs back from the delayed set late). Well below it would
    // mean the cap goes unused.
    expect(rate).toBeGreaterThanOrEqual(RATE * 0.8);
    expect(rate).toBeLessThanOrEqual(RATE * 1.1);
    // The other endpoint was not held back: all of it arrived before the throttled backlog drained.
    expect(freeDoneAfterMs).toBeLessThan(sorted[EVENTS - 1] - sentAt);
    // Waiting used no attempt (maxAttempts 1, none dead-lettered), and both workers delivered.
    const deliveries = await prisma.delivery.findMany({
      where: { endpointId: limited.id },
      include: { attempts: true },
    });
    expect(deliveries.every((delivery) => delivery.attempts.length === 1 && delivery.attemptCount === 1)).toBe(true);
    const read = await adminApi(api.url!).get(`/endpoints/${limited.id}`).expect(200);
    expect(read.body.rateLimitPerSecond).toBe(RATE);
    console.log(
      `rate limit ${RATE}/s: busiest second ${busiestWindow(attemptStarts, 1000)} started, ${busiestWindow(arrivals, 1000)} arrived, drained at ${rate.toFixed(2)}/s over ${spanSeconds.toFixed(1)} s (10th to 90th percentile); free endpoint done after ${freeDoneAfterMs} ms`,
    );
  }, 90_000);

  it('refuses a rate below 1 (400)', async () => {
    await adminApi(api.url!).post('/endpoints', { url: 'https://example.com/x', rateLimitPerSecond: 0 }).expect(400);
  });
});
