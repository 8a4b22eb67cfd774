import { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { launchChromium, screenshot, signIn } from './browser';

const GENERIC_KEY = 'generic-console-applications-secret';

/**
 * Contract §7.1 in the console: a global key's session shows every application or the one it picks; an application
 * key's session shows its own application only, as its key sees the API.
 */
describe('console and applications in Chromium', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let browser: Browser;
  let base: string;
  let alphaOpsKey: string;
  const eventOf: Record<string, string> = {};
  const endpointOf: Record<string, string> = {};

  const signedIn = async (key: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await signIn(page, base, key);
    return { context, page };
  };
  const shownApplication = (page: Page) => page.getByTestId('application').textContent();
  const listed = async (page: Page, path: string) => {
    await page.goto(`${base}${path}`);
    return page.content();
  };

  /** The events and endpoints pages list `shown`'s rows and none of `hidden`'s, whose ids are 404 pages. */
  const expectOnlyRowsOf = async (page: Page, shown: string, hidden: string) => {
    const listedRows = (await listed(page, '/console/events')) + (await listed(page, '/console/endpoints'));
    expect(listedRows).toContain(eventOf[shown]);
    expect(listedRows).toContain(endpointOf[shown]);
    expect(listedRows).not.toContain(eventOf[hidden]);
    expect(listedRows).not.toContain(endpointOf[hidden]);
    expect((await page.goto(`${base}/console/events/${eventOf[hidden]}`))!.status()).toBe(404);
    expect((await page.goto(`${base}/console/endpoints/${endpointOf[hidden]}`))!.status()).toBe(404);
  };

  beforeAll(async () => {
    [receiver, app, browser] = await Promise.all([
      TestReceiver.start(),
      startTestApp({ role: 'all', env: { DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true' } }),
      launchChromium(),
    ]);
    base = app.url!;
    const api = adminApi(base);
    for (const uid of ['alpha', 'beta']) {
      await api.post('/applications', { uid, name: `${uid} inc` }).expect(201);
      await api
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: GENERIC_KEY })
        .expect(201);
      endpointOf[uid] = (
        await api.post('/endpoints', { application: uid, url: receiver.url(`/${uid}-hooks`) }).expect(201)
      ).body.id;
      eventOf[uid] = (
        await request(base)
          .post(`/webhooks/${uid}/producer`)
          .set('authorization', `Bearer ${GENERIC_KEY}`)
          .send({ type: `${uid}.created` })
          .expect(202)
      ).body.eventId;
    }
    // One dead letter in each application: what a page counts is its application's.
    receiver.respondWith((received) =>
      JSON.parse(received.body).type.endsWith('.fails') ? { status: 500 } : { status: 200 },
    );
    for (const uid of ['alpha', 'beta'])
      await request(base)
        .post(`/webhooks/${uid}/producer`)
        .set('authorization', `Bearer ${GENERIC_KEY}`)
        .send({ type: `${uid}.fails` })
        .expect(202);
    await waitFor(async () => (await api.get('/dead-letters').expect(200)).body.data.length === 2, {
      what: 'a dead letter in each application',
    });
    alphaOpsKey = (await api.post('/api-keys', { name: 'alpha ops', scope: 'ops', application: 'alpha' }).expect(201))
      .body.key;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.close();
  });

  it('lets a global session pick one application, shows only its rows, then every application again', async () => {
    const { context, page } = await signedIn(TEST_ADMIN_KEY);
    await expect(shownApplication(page)).resolves.toBe('every application');
    const everything = await listed(page, '/console/events');
    expect(everything).toContain(eventOf.alpha);
    expect(everything).toContain(eventOf.beta);

    await page.getByTestId('application').click();
    await page.waitForURL('**/console/applications');
    await screenshot(page, 'applications');
    await Promise.all([
      page.waitForURL(/\/console\?notice=/),
      page.locator('[data-testid="applications"] tr', { hasText: 'beta inc' }).getByRole('button').click(),
    ]);
    await expect(page.locator('.notice').textContent()).resolves.toBe('Showing application beta only.');
    await expect(shownApplication(page)).resolves.toBe('application beta');
    // The gateway's own figures are every application's: a page of one application leaves them out.
    await expect(page.getByRole('heading', { name: 'Queues' }).count()).resolves.toBe(0);
    await screenshot(page, 'overview-one-application');

    await expectOnlyRowsOf(page, 'beta', 'alpha');

    await page.goto(`${base}/console/applications`);
    await Promise.all([
      page.waitForURL(/\/console\?notice=/),
      page.getByRole('button', { name: 'Show every application' }).click(),
    ]);
    await expect(shownApplication(page)).resolves.toBe('every application');
    await expect(page.getByRole('heading', { name: 'Queues' }).count()).resolves.toBe(1);
    expect(await listed(page, '/console/events')).toContain(eventOf.alpha);
    await context.close();
  });

  it("declares, shows and archives event types in the catalog of the session's application", async () => {
    const { context, page } = await signedIn(TEST_ADMIN_KEY);
    await page.goto(`${base}/console/applications`);
    await Promise.all([
      page.waitForURL(/\/console\?notice=/),
      page.locator('[data-testid="applications"] tr', { hasText: 'alpha inc' }).getByRole('button').click(),
    ]);
    await page.getByRole('link', { name: 'Event types' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Event types of alpha');
    await expect(page.locator('[data-testid="event-types"]').textContent()).resolves.toContain('alpha.created');

    const declare = async (schema: string) => {
      await page.fill('[data-testid="create-event-type"] input[name="name"]', 'invoice.paid');
      await page.fill('[data-testid="create-event-type"] textarea[name="schema"]', schema);
      return Promise.all([
        page.waitForNavigation(),
        page.click('[data-testid="create-event-type"] button[type="submit"]'),
      ]).then(([response]) => response!);
    };
    const refused = await declare('{"type": "object",');
    expect(refused.status()).toBe(400);
    await expect(page.content()).resolves.toContain('The schema is not JSON');
    await page.goto(`${base}/console/event-types`);
    await declare('{"type": "object", "required": ["amount"]}');
    await expect(page.locator('.notice').textContent()).resolves.toBe('Event type invoice.paid declared.');
    await screenshot(page, 'event-types');
    const paid = (body: object) =>
      request(base).post('/webhooks/alpha/producer').set('authorization', `Bearer ${GENERIC_KEY}`).send(body);
    expect((await paid({ type: 'invoice.paid' })).status).toBe(422);
    const catalog = async (uid: string) =>
      (await adminApi(base).get(`/event-types?application=${uid}`).expect(200)).body.data as {
        name: string;
        declared: boolean;
        archived: boolean;
      }[];
    expect((await catalog('beta')).map((eventType) => eventType.name)).not.toContain('invoice.paid');

    await page.getByRole('link', { name: 'invoice.paid' }).click();
    await page.check('[data-testid="edit-event-type"] input[name="archived"]');
    await Promise.all([
      page.waitForURL(/notice=/),
      page.click('[data-testid="edit-event-type"] button[type="submit"]'),
    ]);
    await expect(page.locator('.notice').textContent()).resolves.toBe('Event type saved.');
    expect((await catalog('alpha')).find((eventType) => eventType.name === 'invoice.paid')).toMatchObject({
      declared: true,
      archived: true,
    });
    // An archived type's schema no longer applies.
    expect((await paid({ type: 'invoice.paid' })).status).toBe(202);
    await context.close();
  });

  it("confines an application key's session to its application, with no picker and no Bull Board", async () => {
    const { context, page } = await signedIn(alphaOpsKey);
    await expect(shownApplication(page)).resolves.toBe('application alpha');
    await expect(page.getByTestId('application').evaluate((element) => element.tagName)).resolves.toBe('SPAN');
    await expect(page.locator('a[href="/admin/queues"]').count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Queues' }).count()).resolves.toBe(0);
    await screenshot(page, 'application-key-overview');

    await expectOnlyRowsOf(page, 'alpha', 'beta');
    await page.goto(`${base}/console/dead-letters`);
    await expect(page.getByRole('button', { name: /^Redrive all \d+ matching$/ }).textContent()).resolves.toBe(
      'Redrive all 1 matching',
    );
    expect((await page.goto(`${base}/console/applications`))!.status()).toBe(403);
    expect((await page.goto(`${base}/admin/queues`))!.status()).toBe(403);

    await page.goto(`${base}/console`);
    await Promise.all([page.waitForURL('**/console/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
    await context.close();
  });
});
