import { createServer, Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from '../console/browser';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { freePort } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const GENERIC_KEY = 'generic-portal-browser-secret';
const SCREENSHOT_DIR = join(__dirname, '..', '..', '.artifacts', 'portal');

/** A platform's own web page, on an origin of its own, that embeds a portal link in an iframe. */
async function startEmbedder(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://embedder').searchParams.get('portal') ?? '';
    const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Alpha's dashboard</title></head>
      <body style="font-family: sans-serif; margin: 16px"><h1>Alpha's dashboard · Webhooks</h1>
      <iframe id="portal" src="${attribute}" style="width: 1280px; height: 900px; border: 1px solid #ccc"></iframe>
      </body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return server;
}

/**
 * Contract §7.2 in headless Chromium: the portal inside an iframe of another site (`localhost` embeds
 * `127.0.0.1`; the gateway is told it is behind https). A Playwright context blocks third-party cookies like
 * Chrome's incognito and Safari do, so the session lives only because its cookie is `Partitioned` as well as
 * `SameSite=None; Secure`. A customer creates an endpoint, tests it, sees a failed delivery, replays it and sees it
 * succeed.
 */
describe('customer portal in Chromium, embedded', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let browser: Browser;
  let embedder: Server;
  let outsider: Server;
  let embedderOrigin: string;
  let outsiderOrigin: string;
  let context: BrowserContext;
  let page: Page;
  let portal: Frame;
  let endpointId: string;
  let failingReceiver = true;
  const api = () => adminApi(app.url!);
  const link = async (access: 'manage' | 'read', application = 'alpha') =>
    (await api().post(`/applications/${application}/portal-links`, { access }).expect(201)).body.url as string;
  const shoot = async (name: string) => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  };
  /** Opens the embedding page with a fresh link and hands back the portal's frame once it shows a portal page. */
  const embed = async (url: string, origin = embedderOrigin): Promise<Frame> => {
    await page.goto(`${origin}/?portal=${encodeURIComponent(url)}`);
    const frame = await waitFor(() => page.frame({ url: /\/portal(\?|$)/ }) ?? undefined, {
      what: 'the portal page in the iframe',
    });
    await frame.waitForSelector('header.top');
    return frame;
  };
  /** Clicks a control in the portal and waits for the page it leads to. */
  const submit = async (frame: Frame, selector: string) => {
    await Promise.all([frame.waitForNavigation(), frame.click(selector)]);
  };

  beforeAll(async () => {
    const [embedderPort, outsiderPort] = [await freePort(), await freePort()];
    embedderOrigin = `http://localhost:${embedderPort}`;
    outsiderOrigin = `http://localhost:${outsiderPort}`;
    [receiver, app, browser, embedder, outsider] = await Promise.all([
      TestReceiver.start(),
      startTestApp({
        role: 'all',
        env: {
          TRUST_PROXY: 'loopback',
          DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
          DELIVERY_RETRY_SCHEDULE: '100ms',
        },
      }),
      launchChromium(),
      startEmbedder(embedderPort),
      startEmbedder(outsiderPort),
    ]);
    receiver.respondWith((received) =>
      received.path === '/customer' && failingReceiver && received.body.includes('ord_down')
        ? { status: 503, body: 'customer system down' }
        : { status: 200, body: 'ok' },
    );
    for (const uid of ['alpha', 'beta']) {
      await api()
        .post('/applications', {
          uid,
          name: `${uid} inc`,
          portal:
            uid === 'alpha'
              ? { displayName: 'Alpha Webhooks', primaryColor: '#7b2cbf', allowedOrigins: [embedderOrigin] }
              : undefined,
        })
        .expect(201);
      await api()
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: GENERIC_KEY })
        .expect(201);
    }
    await api().post('/event-types', { application: 'alpha', name: 'invoice.paid' }).expect(201);
    await api().post('/event-types', { application: 'alpha', name: 'invoice.failed' }).expect(201);
    // Every request of this browser tells the gateway it came through an https proxy.
    context = await browser.newContext({
      viewport: { width: 1360, height: 1000 },
      extraHTTPHeaders: { 'x-forwarded-proto': 'https' },
    });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.close();
    await Promise.all([embedder, outsider].map((server) => server && new Promise((resolve) => server.close(resolve))));
  });

  it('opens inside the platform’s page, keeps its cookie there, and leaves the token behind', async () => {
    portal = await embed(await link('manage'));
    expect(new URL(portal.url()).search).toBe('');
    // Partitioned (CHIPS): kept for the embedding site only, and kept at all where third-party cookies are blocked.
    const [cookie] = (await context.cookies()).filter((item) => item.name === 'hookgate_portal');
    expect(cookie).toMatchObject({
      domain: '127.0.0.1',
      path: '/portal',
      httpOnly: true,
      secure: true,
      sameSite: 'None',
      partitionKey: 'http://localhost',
    });
    await expect(portal.textContent('header.top')).resolves.toContain('Alpha Webhooks');
    await shoot('endpoints-empty');
  });

  it('lets the customer create an endpoint with event types from the catalog, and shows its secret once', async () => {
    await portal.fill('[data-testid="create-endpoint"] input[name="url"]', receiver.url('/customer'));
    await portal.check('[data-testid="create-endpoint"] input[name="eventTypes"][value="invoice.paid"]');
    await submit(portal, '[data-testid="create-endpoint"] button[type="submit"]');
    await expect(portal.textContent('[data-secret]')).resolves.toMatch(/whsec_/);
    await shoot('endpoint-created');
    const endpoints = (await api().get('/endpoints?application=alpha').expect(200)).body.data;
    expect(endpoints).toEqual([
      expect.objectContaining({ url: receiver.url('/customer'), filter: { eventTypes: ['invoice.paid'] } }),
    ]);
    endpointId = endpoints[0].id;
  });

  it('sends a test event to the loopback receiver and shows its answer', async () => {
    await submit(portal, `a[href="/portal/endpoints/${endpointId}"]`);
    await portal.waitForSelector('[data-testid="success-chart"]');
    await shoot('endpoint');
    await submit(portal, 'button:text("Send a test event")');
    await expect(portal.textContent('[data-testid="test-result"]')).resolves.toContain('answered 200');
    expect(receiver.requestsTo('/customer')).toHaveLength(1);
    await shoot('endpoint-tested');
  });

  it('shows a failed delivery with the answer, replays it and then shows it succeeded', async () => {
    const sent = await request(app.url!)
      .post('/webhooks/alpha/producer')
      .set('authorization', `Bearer ${GENERIC_KEY}`)
      .send({ type: 'invoice.paid', order: 'ord_down' })
      .expect(202);
    const eventId = sent.body.eventId as string;
    await waitFor(
      async () => (await api().get(`/events/${eventId}`).expect(200)).body.deliveries[0]?.status === 'dead_lettered',
      { timeoutMs: 20_000, what: 'the delivery to fail' },
    );
    await submit(portal, 'nav a:text("Event log")');
    await submit(portal, `a[href="/portal/events/${eventId}"]`);
    await expect(portal.textContent('[data-testid="delivery"]')).resolves.toContain('customer system down');
    await shoot('event-failed');

    failingReceiver = false;
    await submit(portal, '[data-testid="replay"] button[type="submit"]');
    await waitFor(
      async () =>
        (await api().get(`/events/${eventId}`).expect(200)).body.deliveries.some(
          (delivery: { status: string }) => delivery.status === 'succeeded',
        ),
      { timeoutMs: 20_000, what: 'the replayed delivery to succeed' },
    );
    await portal.goto(`${app.url}/portal/events/${eventId}`);
    await expect(portal.textContent('[data-testid="delivery"]')).resolves.toContain('succeeded');
    await shoot('event-replayed');
    await submit(portal, 'nav a:text("Event log")');
    await shoot('events');
  });

  it('answers 404 to the session for a second application’s ids', async () => {
    const betaEndpoint = (
      await api().post('/endpoints', { application: 'beta', url: 'https://beta.example/hooks' }).expect(201)
    ).body.id as string;
    const status = await portal.evaluate(
      async (path) => (await fetch(path)).status,
      `/portal/endpoints/${betaEndpoint}`,
    );
    expect(status).toBe(404);
  });

  it('gives a read session no controls, and refuses a POST forged from its page', async () => {
    const reader = await embed(await link('read'));
    await expect(reader.locator('[data-testid="create-endpoint"]').count()).resolves.toBe(0);
    await submit(reader, `a[href="/portal/endpoints/${endpointId}"]`);
    await expect(reader.locator('[data-testid="controls"]').count()).resolves.toBe(0);
    await expect(reader.locator('[data-testid="edit-endpoint"]').count()).resolves.toBe(0);
    await shoot('endpoint-read-only');
    // The session's own CSRF token (from its sign-out form): the refusal is for the read access, not for CSRF.
    const csrf = await reader.inputValue('input[name="_csrf"]');
    const forged = await reader.evaluate(
      async ([path, token]) =>
        (await fetch(path, { method: 'POST', body: new URLSearchParams({ _csrf: token }) })).status,
      [`/portal/endpoints/${endpointId}/disable`, csrf] as const,
    );
    expect(forged).toBe(403);
    expect((await api().get(`/endpoints/${endpointId}`).expect(200)).body.enabled).toBe(true);
  });

  it('signs out, and then shows a used link its expired page', async () => {
    const url = await link('manage');
    const session = await embed(url);
    await submit(session, 'form[action="/portal/sign-out"] button');
    await expect(session.textContent('main')).resolves.toContain('You signed out of the portal.');
    await shoot('signed-out');
    await expect(session.evaluate(async () => (await fetch('/portal')).status)).resolves.toBe(401);
    const reused = await page.goto(url);
    expect(reused?.status()).toBe(401);
    await expect(page.textContent('main')).resolves.toContain('This link has expired');
    await shoot('link-expired');
  });

  it('cannot be framed by a page of an origin the application did not allow', async () => {
    await page.goto(`${outsiderOrigin}/?portal=${encodeURIComponent(await link('manage'))}`);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame())!;
    await frame.waitForLoadState();
    expect(frame.url()).not.toMatch(/\/portal(\?|$)/);
    expect(page.frame({ url: /\/portal(\?|$)/ })).toBeNull();
  });
});
