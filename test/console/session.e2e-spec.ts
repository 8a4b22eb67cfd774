import { adminApi } from '../support/management';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** The console session's server side, over plain HTTP (the browser flows are in console.e2e-spec.ts). */
describe('ops console sessions', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { CONSOLE_SESSION_TTL: '2s', TRUST_PROXY: 'loopback' } });
  });

  afterAll(async () => {
    await app?.stop();
  });

  const signIn = async (apiKey: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/console/login`, {
      method: 'POST',
      body: new URLSearchParams({ apiKey }),
      headers,
      redirect: 'manual',
    });
  const sessionCookie = (response: Response) => response.headers.get('set-cookie')!.split(';')[0];
  const consolePage = (cookie: string) =>
    fetch(`${app.url}/console/events`, { headers: { cookie }, redirect: 'manual' });

  it('ends after CONSOLE_SESSION_TTL, and its cookie is Secure behind https', async () => {
    const plain = await signIn(TEST_ADMIN_KEY);
    expect(plain.status).toBe(303);
    expect(plain.headers.get('set-cookie')).toMatch(
      /^hookgate_console=[\w-]{43}; Max-Age=2; Path=\/; Expires=.*; HttpOnly; SameSite=Strict$/,
    );
    const cookie = sessionCookie(plain);
    expect((await consolePage(cookie)).status).toBe(200);
    await waitFor(async () => (await consolePage(cookie)).status === 303, {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: 'the session to expire',
    });

    const behindHttps = await signIn(TEST_ADMIN_KEY, { 'x-forwarded-proto': 'https' });
    expect(behindHttps.headers.get('set-cookie')).toContain('; Secure');
  });

  it('is refused by the management API: a cookie is no API credential', async () => {
    const cookie = sessionCookie(await signIn(TEST_ADMIN_KEY));
    expect((await fetch(`${app.url}/api/v1/events`, { headers: { cookie } })).status).toBe(401);
  });

  it('ends when its key is revoked', async () => {
    const created = (await adminApi(app.url!).post('/api-keys', { name: 'short-lived', scope: 'ops' }).expect(201))
      .body as { id: string; key: string };
    const cookie = sessionCookie(await signIn(created.key));
    expect((await consolePage(cookie)).status).toBe(200);
    await adminApi(app.url!).delete(`/api-keys/${created.id}`).expect(204);
    expect((await consolePage(cookie)).status).toBe(303);
  });

  it('gives an ops session replays but not endpoint management (403, nothing created)', async () => {
    const created = (await adminApi(app.url!).post('/api-keys', { name: 'night-ops', scope: 'ops' }).expect(201)).body;
    const cookie = sessionCookie(await signIn(created.key));
    const page = await (await consolePage(cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const attempt = await fetch(`${app.url}/console/endpoints`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf, url: 'https://example.com/hooks' }),
      redirect: 'manual',
    });
    expect(attempt.status).toBe(403);
    expect(await attempt.text()).toContain('needs the &quot;admin&quot; scope');
    expect((await adminApi(app.url!).get('/endpoints').expect(200)).body.data).toHaveLength(0);
  });

  it('counts failed sign-ins per address like failed API authentications: 429 beyond 20 a minute', async () => {
    const from = { 'x-forwarded-for': '198.51.100.23' };
    for (let attempt = 0; attempt < 20; attempt++) expect((await signIn('hg_wrong_key', from)).status).toBe(401);
    const blocked = await signIn('hg_wrong_key', from);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is unaffected, and the right key from the blocked one is still refused for now.
    expect((await signIn(TEST_ADMIN_KEY, { 'x-forwarded-for': '198.51.100.24' })).status).toBe(303);
    expect((await signIn(TEST_ADMIN_KEY, from)).status).toBe(429);
  });
});
