import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { HotPathPool } from '../../src/common/database/pg-pool';
import { loadConfig } from '../../src/config/load-config';
import { waitFor } from '../support/wait';

interface ChaosResult {
  name: string;
  acknowledged: number;
  lost: number;
  duplicated: number;
  stranded: number;
  problems: string[];
}

interface PoolRow {
  database: string;
  cl_active: string;
  cl_waiting: string;
  sv_active: string;
  sv_idle: string;
  sv_used: string;
  sv_tested: string;
  sv_login: string;
}

interface ChaosRun {
  options: { adminKey: string };
  cluster: {
    api: { port: number };
    databaseUrl: string;
    pgbouncer: { url(db: string): string; pools(): Promise<PoolRow[]> };
  };
  run(name: string): Promise<ChaosResult>;
  close(): Promise<void>;
}

// The chaos harness (plain JavaScript, so that `npm run chaos` needs no TypeScript step), with `--pgbouncer`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startChaos } = require('../../scripts/chaos/scenarios') as {
  startChaos: (options: object) => Promise<ChaosRun>;
};

/**
 * PgBouncer in transaction mode (issue 28): Debian's pgbouncer (1.18) between a real api and two real workers and
 * PostgreSQL, with fewer server connections than the processes' pools hold clients. PgBouncer before 1.21 keeps no
 * prepared statements, so the processes run with DATABASE_PREPARED_STATEMENTS=false.
 */
describe('PgBouncer in transaction mode', () => {
  const READY_MS = 60_000;
  const logDir = mkdtempSync(join(tmpdir(), 'hookgate-pgbouncer-logs-'));
  let chaos: ChaosRun;
  let failed = false;

  beforeAll(async () => {
    chaos = await startChaos({
      pgbouncer: true,
      rate: 30,
      leadMs: 2_000,
      streamMs: 4_000,
      settleTimeoutMs: 30_000,
      readyTimeoutMs: READY_MS,
      logDir,
      log: () => undefined,
    });
  }, 2 * READY_MS);

  afterAll(async () => {
    await chaos?.close();
    if (!failed) rmSync(logDir, { recursive: true, force: true });
  }, 30_000);

  const management = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${chaos.cluster.api.port}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${chaos.options.adminKey}`, 'content-type': 'application/json' },
    });

  it('loses nothing acknowledged when the api is SIGKILLed under load (the chaos api-kill scenario)', async () => {
    const result = await chaos.run('api-sigkill');
    failed ||= result.problems.length > 0;
    expect({ problems: result.problems, lost: result.lost, stranded: result.stranded }).toEqual({
      problems: [],
      lost: 0,
      stranded: 0,
    });
    expect(result.acknowledged).toBeGreaterThan(100);
  }, 180_000);

  it('serves the management API and replays through it, transactions sharing fewer server connections than clients', async () => {
    const events = (await (await management('/events?limit=5')).json()) as { data: { id: string }[] };
    expect(events.data.length).toBe(5);
    const [event] = events.data;
    const before = await attemptsOf(event.id);
    const replay = await management(`/events/${event.id}/replay`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'through PgBouncer' }),
    });
    expect(replay.status).toBe(202);
    await waitFor(async () => (await attemptsOf(event.id)) > before, {
      what: 'the replayed attempts',
      timeoutMs: 20_000,
    });

    const [pool] = (await chaos.cluster.pgbouncer.pools()).filter((row) => row.database === 'hookgate');
    const servers = ['sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'].reduce(
      (sum, column) => sum + Number(pool[column as keyof PoolRow]),
      0,
    );
    const clients = Number(pool.cl_active) + Number(pool.cl_waiting);
    expect(servers).toBeLessThanOrEqual(8);
    expect(clients).toBeGreaterThan(servers);
  });

  it('needs DATABASE_PREPARED_STATEMENTS=false: a named statement meets a server connection that never prepared it', async () => {
    const url = chaos.cluster.pgbouncer.url('hookgate');
    const poolWith = (prepared: boolean) =>
      new HotPathPool(
        loadConfig({
          DATABASE_URL: url,
          REDIS_URL: 'redis://127.0.0.1:1',
          DATABASE_POOL_SIZE: '1',
          DATABASE_PREPARED_STATEMENTS: String(prepared),
        }),
      );
    for (const prepared of [true, false]) {
      const pool = poolWith(prepared);
      const other = new Client({ connectionString: url });
      await other.connect();
      try {
        // The statement is prepared on the server connection PgBouncer lends for this transaction...
        await pool.query({ name: 'pgbouncer-probe', text: 'SELECT 1 AS one' });
        // ...which another client's open transaction then holds, so the next one runs on another server connection.
        await other.query('BEGIN');
        await other.query('SELECT 1');
        const again = pool.query({ name: 'pgbouncer-probe', text: 'SELECT 1 AS one' });
        if (prepared) await expect(again).rejects.toThrow(/prepared statement "pgbouncer-probe" does not exist/);
        else await expect(again).resolves.toMatchObject({ rows: [{ one: 1 }] });
      } finally {
        await other.query('ROLLBACK').catch(() => undefined);
        await other.end();
        await pool.end();
      }
    }
  });

  async function attemptsOf(eventId: string): Promise<number> {
    const client = new Client({ connectionString: chaos.cluster.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_id = $1',
        [eventId],
      );
      return Number(rows[0].count);
    } finally {
      await client.end();
    }
  }
});
