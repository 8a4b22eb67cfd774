import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { RetentionService } from '../../src/retention/retention.service';
import { RetentionRun } from '../../src/retention/retention.types';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const GENERIC_KEY = 'generic-retention-applications-secret';

/**
 * Retention with applications (issue 27): a replay or redrive still walking one application's matches holds back
 * that application's expired events only; the other applications' go as usual. Runs are started by the test (the
 * schedule's interval is an hour), so each run's verdict is the test's to read.
 */
describe('retention across applications', () => {
  let app: TestApp;
  let prisma: PrismaService;
  const applicationId: Record<string, string> = {};
  const eventOf: Record<string, string> = {};
  const stored = async (uid: string) => (await prisma.event.count({ where: { id: eventOf[uid] } })) === 1;
  const run = (): Promise<RetentionRun> => app.app.get(RetentionService).run(() => true);
  const walking = (application: string | null) =>
    prisma.replayRequest.create({
      data: {
        kind: 'bulk',
        actor: 'retention test',
        reason: 'a walk still in progress',
        status: 'running',
        filter: application ? { application } : {},
        applicationId: application ? applicationId[application] : null,
      },
    });
  const finish = (id: string) =>
    prisma.replayRequest.update({ where: { id }, data: { status: 'completed', cursor: { done: true } } });

  beforeAll(async () => {
    app = await startTestApp({ role: 'all', env: { RETENTION_EVENTS_AFTER: '1s', RETENTION_INTERVAL: '1h' } });
    prisma = app.app.get(PrismaService);
    for (const uid of ['alpha', 'beta']) {
      applicationId[uid] = (await adminApi(app.url!).post('/applications', { uid, name: uid }).expect(201)).body.id;
      await adminApi(app.url!)
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: GENERIC_KEY })
        .expect(201);
      eventOf[uid] = (
        await request(app.url!)
          .post(`/webhooks/${uid}/producer`)
          .set('authorization', `Bearer ${GENERIC_KEY}`)
          .send({ type: `${uid}.kept` })
          .expect(202)
      ).body.eventId;
    }
    // No endpoint takes them: both end as no_subscribers, final.
    await waitFor(
      async () =>
        (await prisma.event.count({ where: { id: { in: Object.values(eventOf) }, status: 'no_subscribers' } })) === 2,
      { what: 'both events to be final' },
    );
    await waitFor(
      async () => {
        const [{ expired }] = await prisma.$queryRaw<{ expired: boolean }[]>`
          SELECT bool_and(received_at < now() - interval '1 second') AS expired FROM events`;
        return expired;
      },
      { what: 'both events to be past RETENTION_EVENTS_AFTER' },
    );
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('holds back every application while a walk across all of them is in progress', async () => {
    const global = await walking(null);
    expect(await run()).toMatchObject({
      eventsDeferred: true,
      eventsDeferredApplications: null,
      deleted: { events: 0 },
    });
    expect(await stored('alpha')).toBe(true);
    expect(await stored('beta')).toBe(true);
    await finish(global.id);
  });

  it("holds back only the application a walk is in, and purges the others' expired events", async () => {
    const alphaWalk = await walking('alpha');
    expect(await run()).toMatchObject({
      eventsDeferred: true,
      eventsDeferredApplications: [applicationId.alpha],
      deleted: { events: 1 },
    });
    expect(await stored('beta')).toBe(false);
    expect(await stored('alpha')).toBe(true);

    await finish(alphaWalk.id);
    expect(await run()).toMatchObject({
      eventsDeferred: false,
      eventsDeferredApplications: [],
      deleted: { events: 1 },
    });
    expect(await stored('alpha')).toBe(false);
  });
});
