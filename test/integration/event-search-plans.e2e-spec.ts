import { PrismaService } from '../../src/common/database/prisma.service';
import { EventQueryRepository } from '../../src/events/event-query.repository';
import { EventFilterDto } from '../../src/events/dto/event-query.dto';
import { Prisma } from '../../src/generated/prisma/client';
import { startTestApp, TestApp } from '../support/test-app';
import { PlanNode, planNodes } from '../support/query-plans';

const EVENTS = 200_000;
const TYPES = ['invoice.paid', 'invoice.payment_failed', 'customer.created', 'payment_intent.succeeded'];

/**
 * Every GET /events filter is served by an index: the planner's choice for the repository's own query, over enough
 * rows (with fresh statistics) that it would scan the table if no index helped. The bench measures the same
 * filters at 1,000,000 rows (bench/search.bench.js).
 */
describe('GET /events query plans', () => {
  let app: TestApp;
  let prisma: PrismaService;
  let queries: EventQueryRepository;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
    prisma = app.app.get(PrismaService);
    queries = app.app.get(EventQueryRepository);
    await prisma.$executeRaw`
      INSERT INTO integrations (id, slug, provider, secret, updated_at)
      SELECT gen_random_uuid(), 'plan-' || p, p, 'secret', now() FROM unnest(ARRAY['acme', 'github', 'globex', 'paypal', 'quiet']) AS p`;
    // Realistic skew over 30 days: most events delivered, a few failed; four busy integrations and a quiet one
    // (0.5 %); four common types and a rare one; unique external ids.
    await prisma.$executeRaw`
      WITH i AS (SELECT array_agg(id ORDER BY slug) AS ids, array_agg(provider ORDER BY slug) AS providers FROM integrations WHERE slug LIKE 'plan-%')
      INSERT INTO events (id, integration_id, provider, type, external_id, idempotency_key, status, received_at, data, updated_at)
      SELECT gen_random_uuid(), i.ids[CASE WHEN n % 200 = 0 THEN 5 ELSE 1 + n % 4 END], i.providers[CASE WHEN n % 200 = 0 THEN 5 ELSE 1 + n % 4 END],
             CASE WHEN n % 300 = 1 THEN 'charge.refunded' ELSE (${TYPES}::text[])[1 + (n * 7) % 4] END, 'evt_' || n, 'evt_' || n,
             (CASE WHEN n % 50 = 0 THEN 'failed' WHEN n % 97 = 0 THEN 'received' ELSE 'delivered' END)::"EventStatus",
             now() - (n::float8 / ${EVENTS} * interval '30 days'), '{}'::jsonb, now()
      FROM generate_series(1, ${EVENTS}) AS n, i`;
    await prisma.$executeRawUnsafe('ANALYZE events');
    await prisma.$executeRawUnsafe('ANALYZE integrations');
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  const plan = async (filter: EventFilterDto, after?: { at: Date; id: string }) => {
    const [row] = await prisma.$queryRaw<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
      Prisma.sql`EXPLAIN (FORMAT JSON) ${await queries.pageQuery(filter, 50, after)}`,
    );
    return planNodes(row['QUERY PLAN'][0].Plan);
  };

  const day = new Date(Date.now() - 10 * 86_400_000);
  // A common value is served by walking the time index newest first (a page fills after a few rows); a rare one by
  // the index that starts with its column. Each of these indexes is the one the filter needs.
  const filters: [string, EventFilterDto, string][] = [
    ['no filter', {}, 'events_received_at_id_idx'],
    ['a common status', { status: 'delivered' }, 'events_'],
    ['a rare status', { status: 'failed' }, 'events_status_received_at_id_idx'],
    ['a busy integration', { integration: 'plan-acme' }, 'events_'],
    ['a quiet integration', { integration: 'plan-quiet' }, 'events_integration_id_received_at_id_idx'],
    ['a common provider', { provider: 'github' }, 'events_'],
    ['a rare provider', { provider: 'quiet' }, 'events_provider_received_at_id_idx'],
    ['a common type', { type: 'invoice.paid' }, 'events_'],
    ['a rare type', { type: 'charge.refunded' }, 'events_type_received_at_id_idx'],
    ['a type wildcard', { type: 'invoice.*' }, 'events_'],
    ['from and to', { from: day, to: new Date(day.getTime() + 86_400_000) }, 'events_received_at_id_idx'],
    ['externalId', { externalId: 'evt_123456' }, 'events_external_id_idx'],
    ['a rare status of a busy integration', { status: 'failed', integration: 'plan-acme' }, 'events_'],
  ];

  it.each(filters)(
    '%s: served by an index on events, never a scan of the table (first page and a later one)',
    async (_name, filter, index) => {
      for (const after of [
        undefined,
        { at: new Date(Date.now() - 5 * 86_400_000), id: 'ffffffff-ffff-4fff-bfff-ffffffffffff' },
      ]) {
        const steps = await plan(filter, after);
        if (process.env.SHOW_PLANS)
          console.log(_name, JSON.stringify(steps.map((s) => [s['Node Type'], s['Index Name']])));
        const onEvents = steps.filter(
          (step) => step['Relation Name'] === 'events' || step['Index Name']?.startsWith('events_'),
        );
        expect(onEvents.map((step) => step['Node Type'])).not.toContain('Seq Scan');
        expect(
          onEvents.filter((step) => /Index/.test(step['Node Type'])).map((step) => step['Index Name']),
        ).toContainEqual(expect.stringMatching(new RegExp(`^${index}`)));
      }
    },
  );
});
