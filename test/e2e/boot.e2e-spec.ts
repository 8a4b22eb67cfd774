import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';

describe('booting the api role in-process', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
  });

  afterAll(() => app?.stop());

  it('answers readiness with terminus JSON naming PostgreSQL and Redis', async () => {
    const response = await request(app.url!).get('/health/ready').expect(200);
    expect(response.body.status).toBe('ok');
    expect(Object.keys(response.body.details)).toEqual(expect.arrayContaining(['database', 'redis', 'memory_heap']));
    const alias = await request(app.url!).get('/health').expect(200);
    expect(alias.body.details).toEqual(response.body.details);
    await request(app.url!).get('/health/live').expect(200);
  });

  it('answers unknown routes with the contract error body and echoes the correlation id', async () => {
    const response = await request(app.url!).get('/nope').set('x-correlation-id', 'corr-123').expect(404);
    expect(response.headers['x-correlation-id']).toBe('corr-123');
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      path: '/nope',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      correlationId: 'corr-123',
      traceId: null,
    });
  });
});
