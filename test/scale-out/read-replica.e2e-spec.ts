import { ACME_SECRET, sendAcme } from '../delivery/support';
import { adminApi } from '../support/management';
import { PostgresWithReplica } from '../support/postgres-replica';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * DATABASE_READ_URL (issue 28) against a real streaming replica: the replica's WAL replay is paused, so what the
 * replica serves is told apart from what the primary does by whether a row written since shows.
 */
describe('PostgreSQL read replica', () => {
  let pair: PostgresWithReplica;
  let app: TestApp;
  const api = () => adminApi(app.url!);
  const searched = async (externalId: string) =>
    ((await api().get(`/events?externalId=${externalId}`).expect(200)).body.data as { id: string }[]).map(
      (event) => event.id,
    );

  beforeAll(async () => {
    pair = await PostgresWithReplica.start();
    app = await startTestApp({
      role: 'all',
      database: { url: pair.primaryUrl, name: 'hookgate', drop: async () => undefined },
      env: { DATABASE_READ_URL: pair.replicaUrl, ACME_WEBHOOK_SECRET: ACME_SECRET },
    });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    pair?.destroy();
  });

  it('serves searches and lists from the replica, and everything that writes from the primary', async () => {
    const before = await sendAcme(app.url!, 'replica_before', 'replica.checked');
    await pair.caughtUp();
    expect(await searched('replica_before')).toEqual([before]);

    await pair.pauseReplay();
    const after = await sendAcme(app.url!, 'replica_after', 'replica.checked');
    await api().post('/endpoints', { url: 'https://replica.example/hooks' }).expect(201);
    // Searches and lists come from the paused replica: the new rows are not there yet.
    expect(await searched('replica_after')).toEqual([]);
    expect((await api().get('/audit-entries?action=endpoint.created').expect(200)).body.data).toEqual([]);
    // A read that leads to writes counts on the primary.
    const dryRun = await api()
      .post('/replays', { reason: 'count only', filter: { type: 'replica.checked' }, dryRun: true })
      .expect(200);
    expect(dryRun.body.matched).toBe(2);
    // An event just acknowledged is found by id: the replica does not have it, so the primary is asked.
    expect((await api().get(`/events/${after}`).expect(200)).body).toMatchObject({
      id: after,
      externalId: 'replica_after',
    });

    await pair.resumeReplay();
    await pair.caughtUp();
    expect(await searched('replica_after')).toEqual([after]);
    expect((await api().get('/audit-entries?action=endpoint.created').expect(200)).body.data).toHaveLength(1);
  });
});
