import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { adminApi } from '../support/management';

/** Contract §6.4: revoking the key ADMIN_API_KEY created lasts across restarts. */
describe('the bootstrap admin key', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;

  afterAll(async () => {
    await second?.stop();
    await first?.database.drop();
  });

  it('stays revoked after a restart with the same ADMIN_API_KEY; a new value makes a new key', async () => {
    first = await startTestApp({ role: 'api' });
    const other = await adminApi(first.url!).post('/api-keys', { name: 'second-admin', scope: 'admin' }).expect(201);
    const bootstrap = (await adminApi(first.url!).get('/api-keys').expect(200)).body.data.find(
      (key: { name: string }) => key.name === 'bootstrap-admin',
    );
    await request(first.url!)
      .delete(`/api/v1/api-keys/${bootstrap.id}`)
      .set('authorization', `Bearer ${other.body.key}`)
      .expect(204);
    await first.close();

    second = await startTestApp({ role: 'api', database: first.database });
    await adminApi(second.url!).get('/events').expect(401);
    await request(second.url!).get('/api/v1/events').set('authorization', `Bearer ${other.body.key}`).expect(200);

    const fresh = `${TEST_ADMIN_KEY}-rotated`;
    await second.stop();
    second = await startTestApp({ role: 'api', database: first.database, env: { ADMIN_API_KEY: fresh } });
    await request(second.url!).get('/api/v1/events').set('authorization', `Bearer ${fresh}`).expect(200);
  });
});
