import { PrismaService } from '../../src/common/database/prisma.service';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';

describe('endpoints API', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
  });

  afterAll(() => app?.stop());

  it('shows the whsec_ secret once at creation and never on reads', async () => {
    const created = await adminApi(app.url!)
      .post('/endpoints', {
        url: 'https://example.com/hook',
        description: 'd',
        filter: { eventTypes: ['invoice.*'] },
        maxAttempts: 3,
        timeoutMs: 5000,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      url: 'https://example.com/hook',
      filter: { eventTypes: ['invoice.*'] },
      enabled: true,
      maxAttempts: 3,
      timeoutMs: 5000,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{40,}$/),
    });
    const read = await adminApi(app.url!).get(`/endpoints/${created.body.id}`).expect(200);
    expect(read.body).not.toHaveProperty('secret');
    const list = await adminApi(app.url!).get('/endpoints').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
  });

  it('rotates the secret: a new one, shown once; the previous keeps signing for the grace period asked for', async () => {
    const created = await adminApi(app.url!).post('/endpoints', { url: 'https://example.com/rotate' }).expect(201);
    const rotated = await adminApi(app.url!)
      .post(`/endpoints/${created.body.id}/rotate-secret`, { gracePeriodSeconds: 86_400 })
      .expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const row = await app.app.get(PrismaService).endpoint.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.previousSecret).toBe(created.body.secret);
    expect(row.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'http or https'],
    [{ url: 'https://user:pass@example.com/x' }, 'credentials'],
    [{ url: 'not a url' }, 'absolute'],
    [{ url: 'https://example.com', filter: { eventTypes: 'invoice.*' } }, 'eventTypes'],
    [{ url: 'https://example.com', secret: 'mine' }, 'secret'],
    [{ url: 'https://example.com', maxAttempts: 0 }, 'maxAttempts'],
  ])('refuses %j with 400', async (body, expected) => {
    const response = await adminApi(app.url!).post('/endpoints', body).expect(400);
    expect(response.body.message).toContain(expected);
  });

  it('patches and soft-deletes (404 afterwards, the row stays for its deliveries)', async () => {
    const created = await adminApi(app.url!).post('/endpoints', { url: 'https://example.com/del' }).expect(201);
    const patched = await adminApi(app.url!)
      .patch(`/endpoints/${created.body.id}`, { enabled: false, filter: { integrations: ['stripe'] } })
      .expect(200);
    expect(patched.body).toMatchObject({ enabled: false, filter: { integrations: ['stripe'] } });
    await adminApi(app.url!).delete(`/endpoints/${created.body.id}`).expect(204);
    await adminApi(app.url!).get(`/endpoints/${created.body.id}`).expect(404);
    expect(
      await app.app.get(PrismaService).endpoint.count({ where: { id: created.body.id, deletedAt: { not: null } } }),
    ).toBe(1);
    const audit = await app.app
      .get(PrismaService)
      .auditEntry.findMany({ where: { subjectId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['endpoint.created', 'bootstrap-admin'],
      ['endpoint.updated', 'bootstrap-admin'],
      ['endpoint.deleted', 'bootstrap-admin'],
    ]);
  });
});
