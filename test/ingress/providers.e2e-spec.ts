import { randomUUID } from 'node:crypto';
import { sign as githubSign } from '@octokit/webhooks-methods';
import githubExamples from '@octokit/webhooks-examples';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';

// Signatures here are made by the providers' own libraries, not by Hookgate's code.
const STRIPE_SECRET = 'whsec_test_stripe_secret_0123456789';
const GITHUB_SECRET = 'github-test-secret-0123456789';
const stripe = new Stripe('sk_test_unused');

describe("ingress with the providers' own signing libraries", () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(() => app?.stop());

  const stripeEvent = (id: string, type = 'invoice.paid') =>
    JSON.stringify({ id, object: 'event', type, created: 1_790_000_000, data: { object: { id: 'in_1' } } });
  const postStripe = (payload: string, header: string) =>
    request(app.url!)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', header)
      .send(payload);

  describe('stripe', () => {
    it("accepts stripe's test header, normalizes id, type and created", async () => {
      const payload = stripeEvent('evt_ok_1');
      const response = await postStripe(
        payload,
        stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }),
      ).expect(202);
      const event = await prisma.event.findUniqueOrThrow({ where: { id: response.body.eventId } });
      // The ordering key (§7.5) is the object the event is about.
      expect(event).toMatchObject({
        type: 'invoice.paid',
        externalId: 'evt_ok_1',
        provider: 'stripe',
        orderingKey: 'in_1',
      });
      expect(event.occurredAt?.toISOString()).toBe(new Date(1_790_000_000 * 1000).toISOString());
    });

    it('accepts when any of several v1 signatures matches', async () => {
      const payload = stripeEvent('evt_multi');
      const good = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
      const timestamp = /t=(\d+)/.exec(good)![1];
      const goodSignature = /v1=([0-9a-f]+)/.exec(good)![1];
      await postStripe(payload, `t=${timestamp},v1=${'0'.repeat(64)},v1=${goodSignature}`).expect(202);
    });

    it('refuses stale and future timestamps (401) even with a valid signature', async () => {
      const payload = stripeEvent('evt_old');
      // The tolerance is 300 s; a few seconds either side of it, taken at each send, so a slow round trip on a
      // loaded machine cannot move a timestamp across the boundary.
      const signedAt = (offsetSeconds: number) =>
        stripe.webhooks.generateTestHeaderString({
          payload,
          secret: STRIPE_SECRET,
          timestamp: Math.floor(Date.now() / 1000) + offsetSeconds,
        });
      await postStripe(payload, signedAt(-310)).expect(401);
      await postStripe(payload, signedAt(310)).expect(401);
      await postStripe(payload, signedAt(-290)).expect(202);
    });

    it('verifies the raw bytes: a re-serialized body fails, the signed bytes pass', async () => {
      const payload = '{"id":"evt_raw",  "type":"invoice.paid","data":{}}';
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
      await postStripe(JSON.stringify(JSON.parse(payload)), header).expect(401);
      const accepted = await postStripe(payload, header).expect(202);
      const raw = await prisma.rawWebhook.findFirstOrThrow({ where: { event: { id: accepted.body.eventId } } });
      expect(Buffer.from(raw.body).toString('utf8')).toBe(payload);
    });

    it('rotation: the old secret verifies until its expiry, then only the new one', async () => {
      const integration = await prisma.integration.create({
        data: { slug: `stripe-eu-${randomUUID().slice(0, 6)}`, provider: 'stripe', secret: 'whsec_old_secret_000' },
      });
      await adminApi(app.url!)
        .patch(`/integrations/${integration.id}`, {
          rotateSecret: 'whsec_new_secret_111',
          previousSecretTtlSeconds: 3600,
        })
        .expect(200);
      const send = (id: string, secret: string) => {
        const payload = stripeEvent(id);
        return request(app.url!)
          .post(`/webhooks/${integration.slug}`)
          .set('stripe-signature', stripe.webhooks.generateTestHeaderString({ payload, secret }))
          .send(payload);
      };
      expect((await send('evt_rot_old', 'whsec_old_secret_000')).status).toBe(202);
      expect((await send('evt_rot_new', 'whsec_new_secret_111')).status).toBe(202);
      await prisma.integration.update({
        where: { id: integration.id },
        data: { previousSecretExpiresAt: new Date(Date.now() - 1000), slug: `${integration.slug}-x` },
      });
      const expired = stripeEvent('evt_rot_expired');
      const response = await request(app.url!)
        .post(`/webhooks/${integration.slug}-x`)
        .set(
          'stripe-signature',
          stripe.webhooks.generateTestHeaderString({ payload: expired, secret: 'whsec_old_secret_000' }),
        )
        .send(expired);
      expect(response.status).toBe(401);
    });
  });

  describe('github', () => {
    const examples = (githubExamples as { name: string; examples: Record<string, unknown>[] }[]).flatMap((group) =>
      group.examples.slice(0, 2).map((example) => ({ event: group.name, example })),
    );

    it(`accepts ${examples.length} official example payloads of every event type, typed event.action`, async () => {
      expect(examples.length).toBeGreaterThan(50);
      for (const { event, example } of examples) {
        const payload = JSON.stringify(example);
        const delivery = randomUUID();
        const response = await request(app.url!)
          .post('/webhooks/github')
          .set('x-github-event', event)
          .set('x-github-delivery', delivery)
          .set('x-github-hook-id', '4242')
          .set('x-hub-signature-256', await githubSign(GITHUB_SECRET, payload))
          .send(payload);
        expect([event, response.status]).toEqual([event, 202]);
        const stored = await prisma.event.findUniqueOrThrow({ where: { id: response.body.eventId } });
        const action = (example as { action?: string }).action;
        expect(stored.type).toBe(action ? `${event}.${action}` : event);
        expect(stored.externalId).toBe(`4242:${delivery}`);
        // Ordered per repository (§7.5); an event about no repository (an app's or an org's) by its integration.
        const repository = (example as { repository?: { full_name?: string } }).repository;
        expect([event, stored.orderingKey]).toEqual([event, repository?.full_name ?? 'github']);
      }
    });

    it('accepts ping and refuses a wrong signature', async () => {
      const payload = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const ping = await request(app.url!)
        .post('/webhooks/github')
        .set('x-github-event', 'ping')
        .set('x-github-delivery', randomUUID())
        .set('x-hub-signature-256', await githubSign(GITHUB_SECRET, payload))
        .send(payload)
        .expect(202);
      expect((await prisma.event.findUniqueOrThrow({ where: { id: ping.body.eventId } })).type).toBe('ping');
      await request(app.url!)
        .post('/webhooks/github')
        .set('x-github-event', 'ping')
        .set('x-github-delivery', randomUUID())
        .set('x-hub-signature-256', await githubSign('wrong', payload))
        .send(payload)
        .expect(401);
    });
  });

  describe('standard webhooks', () => {
    const secret = `whsec_${Buffer.from('standard-test-key-0123456789').toString('base64')}`;

    beforeAll(async () => {
      await adminApi(app.url!).post('/integrations', { slug: 'std', provider: 'standard', secret }).expect(201);
    });

    const send = (id: string, body: string, at = new Date(), key = secret) => {
      const signature = new Webhook(key).sign(id, at, body);
      return request(app.url!)
        .post('/webhooks/std')
        .set('webhook-id', id)
        .set('webhook-timestamp', String(Math.floor(at.getTime() / 1000)))
        .set('webhook-signature', signature)
        .send(body);
    };

    it("accepts the standardwebhooks library's signature; the webhook-id is the external id", async () => {
      const response = await send('msg_1', JSON.stringify({ type: 'user.created', data: { id: 1 } })).expect(202);
      expect(await prisma.event.findUniqueOrThrow({ where: { id: response.body.eventId } })).toMatchObject({
        externalId: 'msg_1',
        type: 'user.created',
      });
      expect((await send('msg_1', JSON.stringify({ type: 'user.created', data: { id: 1 } }))).status).toBe(200);
    });

    it('refuses a stale timestamp and another key', async () => {
      await send('msg_2', JSON.stringify({ type: 'user.created' }), new Date(Date.now() - 10 * 60_000)).expect(401);
      await send(
        'msg_3',
        JSON.stringify({ type: 'user.created' }),
        new Date(),
        `whsec_${Buffer.from('other').toString('base64')}`,
      ).expect(401);
    });
  });
});
