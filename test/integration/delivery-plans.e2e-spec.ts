import { Client } from 'pg';
import { CLAIM_BATCH, CREATE_FOR_EVENT, DEAD_LETTER_UNRECORDED, RECORD_BATCH } from '../../src/delivery/delivery-sql';
import { createTestDatabase, TestDatabase } from '../support/database';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The hot-path statements of the worker and the number of their parameters. */
const STATEMENTS: [string, string, number][] = [
  ['the claim of a batch', CLAIM_BATCH, 3],
  ['the record of a batch', RECORD_BATCH, 18],
  ['the dead letter of an attempt never recorded', DEAD_LETTER_UNRECORDED, 4],
  ['a fan-out', CREATE_FOR_EVENT, 2],
];

/**
 * The worker's statements reach each delivery and event by a key (its primary key, or its event and endpoint) on a
 * running gateway. They are
 * prepared once per connection, so after five runs PostgreSQL keeps a generic plan. Its statistics then say almost
 * every delivery is finished, which made the status index look like the cheapest way to the open ones: each batch
 * walked every open delivery, however many were open by the time the plan ran, and a backlog became quadratic work.
 * (A database never analyzed, the first minute of an install, has no statistics to plan by: its plans are not checked.)
 */
describe('query plans of the delivery hot path', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  /** The tables the statement reaches and how, in its generic plan (the one a prepared statement keeps). */
  async function accessPaths(text: string, parameters: number): Promise<string[]> {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE hot_path_statement AS ${text}`);
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE hot_path_statement(${Array.from({ length: parameters }, () => 'NULL').join(', ')})`,
      );
      return nodes(rows[0]['QUERY PLAN'][0].Plan)
        .filter((node) => node['Node Type'] !== 'ModifyTable')
        .filter((node) => node['Relation Name'] === 'deliveries' || node['Relation Name'] === 'events')
        .map((node) => `${node['Relation Name']}: ${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE ALL');
    }
  }

  function expectKeyedAccess(paths: string[]): void {
    const keyed =
      /^(deliveries: Index Scan (deliveries_pkey|deliveries_event_id_endpoint_id_key)|events: Index Scan events_pkey)$/;
    expect(paths.some((path) => path.startsWith('deliveries: '))).toBe(true);
    expect(paths.filter((path) => !keyed.test(path))).toEqual([]);
  }

  describe('when the statistics say every delivery is finished', () => {
    beforeAll(async () => {
      await client.query(`
        WITH integration AS (
          INSERT INTO integrations (id, slug, provider, secret, updated_at)
          VALUES (gen_random_uuid(), 'plans', 'stripe', 'secret', now()) RETURNING id
        ), endpoint AS (
          INSERT INTO endpoints (id, url, secret, updated_at)
          VALUES (gen_random_uuid(), 'https://receiver.example/plans', 'secret', now()) RETURNING id
        ), event AS (
          INSERT INTO events (id, integration_id, provider, type, external_id, idempotency_key, status, received_at, data, updated_at)
          SELECT gen_random_uuid(), integration.id, 'stripe', 'invoice.paid', 'evt_' || n, 'evt_' || n, 'delivered', now(), '{}', now()
          FROM generate_series(1, 20000) AS n, integration
          RETURNING id
        )
        INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, updated_at)
        SELECT gen_random_uuid(), event.id, endpoint.id, 'succeeded', 1, now() FROM event, endpoint`);
      await client.query('ANALYZE deliveries, events');
    });

    it.each(STATEMENTS)('%s', async (_name, text, parameters) => {
      expectKeyedAccess(await accessPaths(text, parameters));
    });
  });
});
