import { Webhook } from 'standardwebhooks';
import { PrismaService } from '../../src/common/database/prisma.service';
import { HookgateProcess, waitUntilReady } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme } from './support';

const HOSTILE = {
  loop: ['function handler(webhook) { for (;;) {} }', 'transformation exceeded 50 ms of CPU'],
  memory: [
    'function handler(webhook) { const hoard = []; for (;;) hoard.push("x".repeat(65536) + hoard.length); }',
    'transformation exceeded 16 MiB of memory',
  ],
  require: [
    'function handler(webhook) { return require("child_process").execSync("id"); }',
    "transformation threw ReferenceError: 'require' is not defined",
  ],
  process: [
    'function handler(webhook) { return process.env; }',
    "transformation threw ReferenceError: 'process' is not defined",
  ],
  fetch: [
    'function handler(webhook) { fetch("http://127.0.0.1:1/"); return webhook; }',
    "transformation threw ReferenceError: 'fetch' is not defined",
  ],
  throw: ['function handler(webhook) { throw new Error("no currency"); }', 'transformation threw Error: no currency'],
} as const;

/**
 * Contract §7.4: transformations run by a real worker process, in QuickJS compiled to WebAssembly. Hostile code
 * fails only its own delivery; the body is signed after the transformation; a cancel is final and visible.
 */
describe('transformations', () => {
  let api: TestApp;
  let worker: HookgateProcess;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    api = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    prisma = api.app.get(PrismaService);
    const healthPort = await freePort();
    worker = HookgateProcess.spawn(['worker'], {
      DATABASE_URL: api.database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: api.config.redis.prefix,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_RETRY_SCHEDULE: '100ms',
      WORKER_HEALTH_PORT: String(healthPort),
      LOG_LEVEL: 'warn',
    });
    await waitUntilReady(healthPort);
  });

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await api?.stop();
    await receiver?.close();
  });

  const deliveryOf = (eventId: string, endpointId: string) =>
    prisma.delivery.findFirst({
      where: { eventId, endpointId },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
  const finished = (eventId: string, endpointId: string) =>
    waitFor(
      async () => {
        const delivery = await deliveryOf(eventId, endpointId);
        return delivery && ['succeeded', 'dead_lettered', 'cancelled'].includes(delivery.status) ? delivery : undefined;
      },
      { timeoutMs: 20_000, what: `the delivery of ${eventId}` },
    );

  it('sends what the handler returns, signed over the transformed body', async () => {
    const code = `function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url.replace('/original', '/transformed');
      webhook.headers['x-order'] = webhook.payload.data.id;
      webhook.payload = { text: webhook.payload.type + ' ' + webhook.payload.data.id };
      return webhook;
    }`;
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/original'),
      filter: { eventTypes: ['shape.changed'] },
      headers: { 'x-static': 'kept' },
      transformation: { code },
    });
    const eventId = await sendAcme(api.url!, 'ord_1', 'shape.changed');

    const received = await waitFor(() => receiver.requestsTo('/transformed')[0], { what: 'the transformed request' });
    expect(received.method).toBe('PUT');
    expect(JSON.parse(received.body)).toEqual({ text: 'shape.changed ord_1' });
    expect(received.headers).toMatchObject({ 'x-order': 'ord_1', 'x-static': 'kept' });
    // A receiver verifies it with the Standard Webhooks library: the signature covers the body it got.
    expect(new Webhook(endpoint.secret).verify(received.body, received.headers as Record<string, string>)).toEqual({
      text: 'shape.changed ord_1',
    });
    expect(receiver.requestsTo('/original')).toHaveLength(0);
    const delivery = await finished(eventId, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts[0]).toMatchObject({ url: receiver.url('/transformed'), outcome: 'succeeded' });
  });

  it('a cancel is final and visible: no request, the delivery cancelled, the event delivered', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/cancelled'),
      filter: { eventTypes: ['maybe.*'] },
      transformation: {
        code: 'function handler(webhook) { return webhook.payload.type === "maybe.skip" ? { cancel: true } : webhook; }',
      },
    });
    const skipped = await sendAcme(api.url!, 'skip_1', 'maybe.skip');
    const sent = await sendAcme(api.url!, 'send_1', 'maybe.send');
    await waitFor(() => receiver.requestsTo('/cancelled').length === 1, { what: 'the delivery not cancelled' });
    const delivery = await finished(skipped, endpoint.id);
    expect(delivery).toMatchObject({ status: 'cancelled', attemptCount: 1, deadLetteredAt: null });
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        outcome: 'cancelled',
        responseStatus: null,
        error: 'cancelled by the transformation',
      }),
    ]);
    expect((await finished(sent, endpoint.id)).status).toBe('succeeded');
    expect(JSON.parse(receiver.requestsTo('/cancelled')[0].body).id).toBe(sent);

    const event = (await adminApi(api.url!).get(`/events/${skipped}`).expect(200)).body;
    expect(event.status).toBe('delivered');
    expect(event.deliveries).toEqual([
      expect.objectContaining({
        status: 'cancelled',
        attempts: [expect.objectContaining({ error: 'cancelled by the transformation' })],
      }),
    ]);
    const listed = await adminApi(api.url!).get(`/deliveries?endpointId=${endpoint.id}&status=cancelled`).expect(200);
    expect(listed.body.data.map((item: { eventId: string }) => item.eventId)).toEqual([skipped]);
    expect(await prisma.auditEntry.count({ where: { subjectId: delivery.id, action: 'delivery.cancelled' } })).toBe(1);
  });

  it('hostile code fails only its own delivery, with the cause, while the worker keeps delivering', async () => {
    const plain = await createEndpoint(api.url!, {
      url: receiver.url('/plain'),
      filter: { eventTypes: ['hostile.*'] },
    });
    const hostile: Record<string, string> = {};
    for (const [name, [code]] of Object.entries(HOSTILE)) {
      hostile[name] = (
        await createEndpoint(api.url!, {
          url: receiver.url(`/hostile-${name}`),
          filter: { eventTypes: [`hostile.${name}`] },
          transformation: { code },
        })
      ).id;
    }
    const events: Record<string, string> = {};
    for (const name of Object.keys(HOSTILE))
      events[name] = await sendAcme(api.url!, `hostile_${name}`, `hostile.${name}`);

    for (const [name, [, error]] of Object.entries(HOSTILE)) {
      const delivery = await finished(events[name], hostile[name]);
      // Final at once: no retry of code that failed.
      expect(delivery).toMatchObject({ status: 'dead_lettered', attemptCount: 1, deadLetterReason: error });
      expect(delivery.attempts[0]).toMatchObject({ outcome: 'transformation_failed', error, responseStatus: null });
      expect((await finished(events[name], plain.id)).status).toBe('succeeded');
    }
    expect(receiver.requests.filter((request) => request.path.startsWith('/hostile-'))).toHaveLength(0);
    expect(receiver.requestsTo('/plain')).toHaveLength(Object.keys(HOSTILE).length);
    // The worker survived all of it and still delivers through a transformation.
    const after = await createEndpoint(api.url!, {
      url: receiver.url('/after'),
      filter: { eventTypes: ['after.hostile'] },
      transformation: { code: 'function handler(webhook) { webhook.payload = { ok: true }; return webhook; }' },
    });
    const eventId = await sendAcme(api.url!, 'after_1', 'after.hostile');
    expect((await finished(eventId, after.id)).status).toBe('succeeded');
    expect(JSON.parse(receiver.requestsTo('/after')[0].body)).toEqual({ ok: true });
  });

  it('refuses code that cannot run with 400, and tries code out without sending anything', async () => {
    const refused = await adminApi(api.url!)
      .post('/endpoints', { url: receiver.url('/never'), transformation: { code: 'function handler(webhook) {' } })
      .expect(400);
    expect(refused.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/^transformation: code threw SyntaxError/),
    });
    await adminApi(api.url!)
      .post('/endpoints', { url: receiver.url('/never'), transformation: { code: 'const handler = 1;' } })
      .expect(400);

    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/trial'), headers: { 'x-static': 'kept' } });
    const tried = (body: object) => adminApi(api.url!).post(`/endpoints/${endpoint.id}/transformation/test`, body);
    expect((await tried({ payload: { a: 1 } }).expect(400)).body.message).toMatch(/no transformation/);
    expect(
      (await tried({ code: 'function handler(w) { w.payload.b = 2; return w; }', payload: { a: 1 } }).expect(200)).body,
    ).toEqual({
      result: { method: 'POST', url: receiver.url('/trial'), headers: { 'x-static': 'kept' }, payload: { a: 1, b: 2 } },
      cancelled: false,
      error: null,
    });
    expect(
      (await tried({ code: 'function handler() { return { cancel: true }; }', payload: {} }).expect(200)).body,
    ).toEqual({
      result: null,
      cancelled: true,
      error: null,
    });
    expect((await tried({ code: HOSTILE.loop[0], payload: {} }).expect(200)).body).toEqual({
      result: null,
      cancelled: false,
      error: 'exceeded 50 ms of CPU',
    });
    // The endpoint's own code, once it has one; a disabled one is shown but not run on deliveries.
    await adminApi(api.url!)
      .patch(`/endpoints/${endpoint.id}`, {
        transformation: { code: 'function handler(w) { w.payload = 1; return w; }', enabled: false },
      })
      .expect(200);
    expect((await tried({ payload: {} }).expect(200)).body.result.payload).toBe(1);
    const shown = (await adminApi(api.url!).get(`/endpoints/${endpoint.id}`).expect(200)).body;
    expect(shown.transformation).toEqual({ code: 'function handler(w) { w.payload = 1; return w; }', enabled: false });
    const eventId = await sendAcme(api.url!, 'trial_1', 'trial.disabled');
    expect((await finished(eventId, endpoint.id)).status).toBe('succeeded');
    expect(JSON.parse(receiver.requestsTo('/trial')[0].body).id).toBe(eventId);

    // Empty code removes it (a body never holds null).
    const removed = await adminApi(api.url!).patch(`/endpoints/${endpoint.id}`, { transformation: { code: '' } });
    expect(removed.body).toMatchObject({ transformation: null });
    expect((await adminApi(api.url!).get(`/endpoints/${endpoint.id}`).expect(200)).body.transformation).toBeNull();
    expect(receiver.requestsTo('/never')).toHaveLength(0);
  });
});
