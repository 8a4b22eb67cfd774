import { Client } from 'pg';
import {
  CLAIM_BATCH,
  CLAIM_REFUSAL,
  CREATE_FOR_EVENT,
  DEAD_LETTER_UNRECORDED,
  NEXT_OF_KEY,
  RECORD_BATCH,
  WAITING_FOR_THEIR_KEY,
} from '../../src/delivery/delivery-sql';
import { MARK_QUEUED } from '../../src/events/event-store.repository';
import { createTestDatabase, TestDatabase } from '../support/database';
import { PlanNode, planNodes } from '../support/query-plans';

/** The indexes a scan reads: its own, or those of the bitmap index scans under a bitmap heap scan. */
function indexesOf(scan: PlanNode): string[] {
  return planNodes(scan).flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));
}

/** Hot-path statements that change rows of a given status. */
const STATEMENTS: [string, string][] = [
  ['the claim of a batch', CLAIM_BATCH],
  ['the record of a batch', RECORD_BATCH],
  ['the dead letter of an attempt never recorded', DEAD_LETTER_UNRECORDED],
  ['a fan-out', CREATE_FOR_EVENT],
  ['why a claim was refused', CLAIM_REFUSAL],
  ['the next delivery of an ordering key', NEXT_OF_KEY],
  ['the new deliveries that wait for their key', WAITING_FOR_THEIR_KEY],
  ['the mark of events handed to the queue', MARK_QUEUED],
];

/** How many parameters a statement takes: its highest `$n` (so a parameter added later needs no count here). */
const parameterCount = (text: string) => Math.max(...[...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));

/**
 * The hot paths reach each delivery and event by a key (its primary key, or its event and endpoint) on a running
 * gateway. Their statements are prepared once per connection, so after five runs PostgreSQL keeps a generic plan,
 * and the statistics then say almost every delivery and event is finished. That made an index on the status (or the
 * partial index of the outbox) look like the cheapest way to the few open rows: each batch walked every open row,
 * however many were open by the time the plan ran, and a backlog became quadratic work when the gateway was busiest.
 * (A database never analyzed, the first minute of an install, has no statistics to plan by: its plans are not checked.)
 */
describe('query plans of the hot paths', () => {
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
      return planNodes(rows[0]['QUERY PLAN'][0].Plan)
        .filter((node) => node['Node Type'] !== 'ModifyTable')
        .filter((node) => node['Relation Name'] === 'deliveries' || node['Relation Name'] === 'events')
        .map((node) => `${node['Relation Name']}: ${node['Node Type']} ${indexesOf(node).join(' ')}`.trim());
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE ALL');
    }
  }

  // The fifo indexes (§7.5) are keyed by endpoint and ordering key: they hold the open deliveries of one key. A scan
  // lists the indexes of the subplans of its filter too (a claim asks them whether its delivery waits).
  function expectKeyedAccess(paths: string[]): void {
    const keyed =
      /^(deliveries: (Index|Index Only|Bitmap Heap) Scan( (deliveries_pkey|deliveries_event_id_endpoint_id_key|deliveries_fifo_open_idx|deliveries_fifo_in_flight_idx))+|events: (Index|Bitmap Heap) Scan events_pkey)$/;
    expect(paths.length).toBeGreaterThan(0);
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

    it.each(STATEMENTS)('%s', async (_name, text) => {
      expectKeyedAccess(await accessPaths(text, parameterCount(text)));
    });
  });
});
