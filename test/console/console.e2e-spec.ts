import { Browser, BrowserContext, Page } from 'playwright-core';
import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery } from '../delivery/support';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { launchChromium, screenshot, signIn } from './browser';

describe('ops console in Chromium', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let base: string;
  let consoleEndpoint: { id: string; secret: string };
  let eventId: string;

  beforeAll(async () => {
    [receiver, app, browser] = await Promise.all([
      TestReceiver.start(),
      startTestApp({ role: 'all', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } }),
      launchChromium(),
    ]);
    prisma = app.app.get(PrismaService);
    base = app.url!;
    admin = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await admin.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.close();
  });

  it('signs in with a key into an HttpOnly, SameSite=Strict session and shows the overview', async () => {
    await signIn(page, base, TEST_ADMIN_KEY);
    const [cookie] = (await admin.cookies()).filter((item) => item.name === 'hookgate_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie.value).not.toContain(TEST_ADMIN_KEY);
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    await expect(page.locator('.scope').textContent()).resolves.toContain('bootstrap-admin · admin');
    await screenshot(page, 'overview');
  });

  it('creates an endpoint and shows its secret once', async () => {
    await page.goto(`${base}/console/endpoints`);
    await page.fill('[data-testid="create-endpoint"] input[name="url"]', receiver.url('/console-hooks'));
    await page.fill('[data-testid="create-endpoint"] input[name="eventTypes"]', 'console.*');
    await page.click('[data-testid="create-endpoint"] button[type="submit"]');
    const secret = (await page.locator('[data-secret]').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, 'endpoint-created');
    const stored = await prisma.endpoint.findFirstOrThrow({ where: { url: receiver.url('/console-hooks') } });
    consoleEndpoint = { id: stored.id, secret };
    await page.goto(`${base}/console/endpoints`);
    await expect(page.content()).resolves.not.toContain(secret);
    await page.goto(`${base}/console/endpoints/${stored.id}`);
    await expect(page.content()).resolves.not.toContain(secret);
  });

  it('finds a webhook just sent, opens it and sees its attempts', async () => {
    // A few unrelated events first, so the list looks like a working day (they match no endpoint).
    for (const [id, type] of [
      ['ord_1', 'order.created'],
      ['ord_2', 'order.paid'],
      ['inv_1', 'invoice.finalized'],
    ]) {
      await sendAcme(base, id, type, { amount: 1200, currency: 'eur' });
    }
    eventId = await sendAcme(base, 'console_evt_1', 'console.checked', { amount: 42 });
    await waitFor(() => receiver.requestsTo('/console-hooks').length === 1, { what: 'the first delivery' });
    expect(verifyDelivery(receiver.requestsTo('/console-hooks')[0], consoleEndpoint.secret).id).toBe(eventId);
    await waitFor(async () => (await prisma.deliveryAttempt.count({ where: { delivery: { eventId } } })) === 1, {
      what: 'the attempt to be recorded',
    });

    await page.goto(`${base}/console/events`);
    await expect(page.locator('[data-testid="events"] tbody tr').count()).resolves.toBe(4);
    await screenshot(page, 'events-all');
    await page.goto(`${base}/console/events?type=console.*`);
    const row = page.locator('[data-testid="events"] tbody tr', { hasText: 'console.checked' });
    await expect(row.count()).resolves.toBe(1);
    await screenshot(page, 'events');
    await Promise.all([page.waitForURL(`**/console/events/${eventId}`), row.locator('a').first().click()]);
    const delivery = page.locator('[data-testid="delivery"]');
    await expect(delivery.textContent()).resolves.toContain('succeeded');
    await expect(delivery.locator('tbody tr').first().textContent()).resolves.toMatch(/#1[\s\S]*200[\s\S]*ms/);
    await expect(page.locator('[data-testid="raw-body"]').textContent()).resolves.toContain('"console_evt_1"');
    // §7.5: an acme event has no key of its own, so it is ordered by its integration.
    await expect(page.locator('[data-testid="ordering-key"]').textContent()).resolves.toBe('acme');
    await screenshot(page, 'event');
  });

  it('shows hostile webhook content as text, never as markup', async () => {
    const hostileId = await sendAcme(base, 'console_xss', 'hostile.<img src=x onerror=window.__pwned=1>', {
      note: '<script>window.__pwned = 1</script>',
    });
    await page.goto(`${base}/console/events/${hostileId}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('hostile.<img src=x onerror=window.__pwned=1>');
    await expect(page.locator('[data-testid="raw-body"]').textContent()).resolves.toContain(
      '<script>window.__pwned = 1</script>',
    );
    await expect(page.locator('main img, main script').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__pwned')).resolves.toBeUndefined();
  });

  it('replays it with a reason, the receiver gets it again, and the audit names the key', async () => {
    await page.goto(`${base}/console/events/${eventId}`);
    await page.fill('[data-testid="replay-form"] input[name="reason"]', 'receiver lost it at 3 a.m.');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-testid="replay-form"] button[type="submit"]')]);
    await waitFor(() => receiver.requestsTo('/console-hooks').length === 2, { what: 'the replayed delivery' });
    expect(verifyDelivery(receiver.requestsTo('/console-hooks')[1], consoleEndpoint.secret).id).toBe(eventId);
    const audit = await adminApi(base).get(`/audit-entries?eventId=${eventId}&action=replay.requested`).expect(200);
    expect(audit.body.data[0]).toMatchObject({
      actor: 'bootstrap-admin',
      details: expect.objectContaining({ reason: 'receiver lost it at 3 a.m.' }),
    });
    await page.reload();
    await expect(page.locator('text=receiver lost it at 3 a.m.').count()).resolves.toBeGreaterThan(0);
  });

  it('redrives a dead letter and shows the progress to completion', async () => {
    let healthy = false;
    receiver.respondWith((request) =>
      request.path === '/console-dead' && !healthy ? { status: 400, body: 'rejected' } : { status: 200 },
    );
    const endpoint = await createEndpoint(base, {
      url: receiver.url('/console-dead'),
      filter: { eventTypes: ['dead.*'] },
    });
    await sendAcme(base, 'console_dead_1', 'dead.one');
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'dead_lettered' } })) === 1,
      { what: 'a dead letter' },
    );
    healthy = true;

    await page.goto(`${base}/console/dead-letters?endpointId=${endpoint.id}`);
    await page.check('[data-testid="dead-letters"] input[data-select-all]');
    await expect(page.locator('[data-selected-count]').textContent()).resolves.toBe('1');
    await screenshot(page, 'dead-letters');
    await page.fill('input[name="reason"]', 'receiver fixed');
    await Promise.all([page.waitForURL('**/console/replays/*'), page.click('button[value="selected"]')]);
    await waitFor(() => receiver.requestsTo('/console-dead').length === 2, {
      what: 'the redriven delivery',
    });
    // The page polls its progress: it shows the end without a reload.
    await page.locator('[data-field="completed"]', { hasText: '1' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-field="status"]', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'replay');
    expect(await prisma.delivery.findFirstOrThrow({ where: { endpointId: endpoint.id } })).toMatchObject({
      status: 'succeeded',
    });
  });

  it('refuses a state change without the CSRF token', async () => {
    const forged = await page.request.post(`${base}/console/events/${eventId}/replay`, {
      form: { reason: 'no token' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await prisma.replayRequest.count({ where: { reason: 'no token' } })).toBe(0);
  });

  it('a read session sees no replay action, and a forged replay is 403', async () => {
    const key = (await adminApi(base).post('/api-keys', { name: 'night-reader', scope: 'read' }).expect(201)).body
      .key as string;
    const reader = await browser.newContext();
    const readerPage = await reader.newPage();
    await signIn(readerPage, base, key);
    await readerPage.goto(`${base}/console/events/${eventId}`);
    await expect(readerPage.locator('[data-testid="delivery"]').count()).resolves.toBe(1);
    await expect(readerPage.locator('[data-testid="replay-form"]').count()).resolves.toBe(0);
    await readerPage.goto(`${base}/console/dead-letters`);
    await expect(readerPage.locator('button[value="selected"]').count()).resolves.toBe(0);
    const csrf = await readerPage.locator('input[name="_csrf"]').first().getAttribute('value');
    const forged = await readerPage.request.post(`${base}/console/events/${eventId}/replay`, {
      form: { _csrf: csrf!, reason: 'reader forged' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await prisma.replayRequest.count({ where: { reason: 'reader forged' } })).toBe(0);
    expect((await readerPage.request.get(`${base}/admin/queues`)).status()).toBe(403);
    await reader.close();
  });

  it('opens Bull Board and the API docs from an admin session', async () => {
    const queues = await page.goto(`${base}/admin/queues`);
    expect(queues?.status()).toBe(200);
    const docs = await page.goto(`${base}/docs`);
    expect(docs?.status()).toBe(200);
  });

  it('bulk-replays after a dry-run count, with live progress to completion', async () => {
    await page.goto(`${base}/console/replays`);
    const form = page.locator('[data-testid="bulk-replay"]');
    await form.locator('input[name="type"]').fill('console.*');
    await form.locator('input[name="reason"]').fill('re-send everything of the console test');
    await form.locator('button[value="count"]').click();
    await expect(page.locator('[data-testid="dry-run-count"]').textContent()).resolves.toBe('1 event match.');
    expect(await prisma.replayRequest.count({ where: { kind: 'bulk' } })).toBe(0);
    await screenshot(page, 'replays');
    await Promise.all([
      page.waitForURL('**/console/replays/*'),
      page.locator('[data-testid="bulk-replay"] button[value="replay"]').click(),
    ]);
    await page.locator('[data-field="status"]', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-field="matched"]').textContent()).resolves.toBe('1');
    await waitFor(() => receiver.requestsTo('/console-hooks').length === 3, { what: 'the bulk-replayed delivery' });
  });

  it('disables an endpoint, rotates its secret, and shows its health and recent attempts', async () => {
    const token = 'console-bearer-token-never-shown';
    await adminApi(base)
      .patch(`/endpoints/${consoleEndpoint.id}`, {
        headers: { 'x-tenant': 'eu-1' },
        auth: { type: 'bearer', token },
        rateLimitPerSecond: 5,
      })
      .expect(200);
    await page.goto(`${base}/console/endpoints/${consoleEndpoint.id}`);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(3);
    const controls = await page.locator('[data-testid="delivery-controls"]').textContent();
    expect(controls).toContain('x-tenant: eu-1');
    expect(controls).toContain('bearer token');
    expect(controls).toContain('5 per second');
    await expect(page.content()).resolves.not.toContain(token);
    await screenshot(page, 'endpoint');
    await expect(page.locator('[data-testid="ordering"]').textContent()).resolves.toContain('none');
    await page.fill('form:has(button:text("Save")) input[name="eventTypes"]', 'console.*, order.*');
    // Ordering (§7.5) is edited with the rest of the endpoint.
    await page.selectOption('form:has(button:text("Save")) select[name="ordering"]', 'fifo');
    await Promise.all([page.waitForURL(/notice=/), page.click('button:text("Save")')]);
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      filter: { eventTypes: ['console.*', 'order.*'] },
      ordering: 'fifo',
    });
    await expect(page.locator('[data-testid="ordering"]').textContent()).resolves.toContain('FIFO');
    await expect(page.locator('[data-testid="signing-secrets"]').textContent()).resolves.toBe('one secret');
    await page.selectOption('select[name="gracePeriodSeconds"]', '3600');
    await page.click('text=Rotate signing secret');
    const rotated = (await page.locator('[data-secret]').textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(consoleEndpoint.secret);
    // §7.6: an hour of grace, stored and shown: until then deliveries carry both signatures.
    const graceEnds = (await prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } }))
      .previousSecretExpiresAt!;
    expect(graceEnds.getTime() - Date.now()).toBeGreaterThan(3_500_000);
    await expect(page.locator('[data-testid="signing-secrets"]').textContent()).resolves.toContain(
      'the new and the previous secret',
    );
    await expect(page.locator('[data-testid="signing-secrets"] time').getAttribute('datetime')).resolves.toBe(
      graceEnds.toISOString(),
    );
    // Endpoint controls (§6.6): an operator's pause holds deliveries; the page shows it and resumes it.
    await Promise.all([page.waitForURL(/notice=/), page.click('button:text("Pause deliveries")')]);
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      pausedAt: expect.any(Date),
    });
    await expect(page.locator('.summary .badge').first().textContent()).resolves.toBe('paused');
    await expect(page.locator('[data-testid="paused-since"]').textContent()).resolves.toMatch(/^\d{4}-/);
    await Promise.all([page.waitForURL(/notice=/), page.click('button:text("Resume deliveries")')]);
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      pausedAt: null,
    });
    await Promise.all([page.waitForURL(/notice=/), page.click('text=Disable endpoint')]);
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      enabled: false,
    });
    await expect(page.locator('.summary .badge').first().textContent()).resolves.toBe('disabled');
  });

  it('saves an endpoint transformation, and shows why code that cannot run is refused', async () => {
    const code = 'function handler(w) { w.headers["x-console"] = "1"; return w; }';
    await page.goto(`${base}/console/endpoints/${consoleEndpoint.id}`);
    await page.fill('textarea[name="code"]', code);
    await Promise.all([page.waitForURL(/notice=/), page.click('button:text("Save transformation")')]);
    await expect(page.locator('[data-testid="transformation-state"]').textContent()).resolves.toContain(
      'runs on every delivery',
    );
    await expect(page.locator('textarea[name="code"]').inputValue()).resolves.toBe(code);
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      transformation: { code, enabled: true },
    });

    await page.fill('textarea[name="code"]', 'function handler(w) {');
    const [refused] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/transformation')),
      page.click('button:text("Save transformation")'),
    ]);
    expect(refused.status()).toBe(400);
    await expect(page.content()).resolves.toContain('transformation: code threw SyntaxError');
    await expect(prisma.endpoint.findUniqueOrThrow({ where: { id: consoleEndpoint.id } })).resolves.toMatchObject({
      transformation: { code },
    });
    await screenshot(page, 'endpoint-transformation-refused');
  });

  it('creates an integration, rotates its secret, and finds it all in the audit trail under the key name', async () => {
    await page.goto(`${base}/console/integrations`);
    await page.fill('input[name="slug"]', 'acme-eu');
    await page.selectOption('select[name="provider"]', 'acme');
    await page.fill('form:has(input[name="slug"]) input[name="secret"]', 'acme-eu-first-secret');
    await Promise.all([page.waitForURL(/notice=/), page.click('text=Create integration')]);
    const row = page.locator('[data-testid="integrations"] tbody tr', { hasText: 'acme-eu' });
    await row.locator('input[name="secret"]').fill('acme-eu-second-secret');
    await Promise.all([page.waitForURL(/notice=/), row.locator('button').click()]);
    await expect(row.textContent()).resolves.toContain('previous secret valid until');
    await screenshot(page, 'integrations');

    await page.goto(`${base}/console/audit?actor=bootstrap-admin`);
    const actions = await page.locator('[data-testid="audit"] tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toEqual(
      expect.arrayContaining([
        'console.signed_in',
        'endpoint.created',
        'replay.requested',
        'endpoint.secret_rotated',
        'endpoint.updated',
        'integration.created',
        'integration.secret_rotated',
      ]),
    );
    await expect(page.content()).resolves.not.toContain('acme-eu-second-secret');
    await screenshot(page, 'audit');
    await page.goto(`${base}/console`);
    await screenshot(page, 'overview-after');
  });

  it('logout ends the session', async () => {
    await page.goto(`${base}/console`);
    const [cookie] = (await admin.cookies()).filter((item) => item.name === 'hookgate_console');
    await Promise.all([page.waitForURL('**/console/login'), page.click('text=Sign out')]);
    // The old cookie is dead on the server too, not only forgotten by the browser.
    const replayed = await fetch(`${base}/console`, {
      headers: { cookie: `hookgate_console=${cookie.value}` },
      redirect: 'manual',
    });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toBe('/console/login');
    await page.goto(`${base}/console/events`);
    expect(page.url()).toBe(`${base}/console/login`);
    await screenshot(page, 'login');
  });
});
