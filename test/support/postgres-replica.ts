import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './redis-server';
import { waitFor } from './wait';

// The local stack's helpers: PostgreSQL's binaries run as `postgres` when the suite runs as root.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/services') as {
  pgRun(binary: string, args: string[]): Buffer;
  migrate(databaseUrl: string): void;
  isRoot: boolean;
  POSTGRES_HOME: string;
};

const DATABASE = 'hookgate';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL primary of the test's own with a real streaming replica made by `pg_basebackup -R`, both on loopback,
 * the primary's `hookgate` database migrated.
 */
export class PostgresWithReplica {
  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(): Promise<PostgresWithReplica> {
    const base = services.isRoot ? join(services.POSTGRES_HOME, 'hookgate-replica-tests') : tmpdir();
    mkdirSync(base, { recursive: true });
    const dir = mkdtempSync(join(base, 'pair-'));
    if (services.isRoot) spawnSync('chown', ['-R', 'postgres:postgres', base]);
    const pair = new PostgresWithReplica(dir, await freePort(), await freePort());
    try {
      await pair.build();
    } catch (error) {
      pair.destroy();
      throw error;
    }
    return pair;
  }

  private async build(): Promise<void> {
    services.pgRun('initdb', ['-D', this.dataDir('primary'), '-U', 'postgres', '--auth=trust', '--no-sync']);
    this.startServer('primary', this.primaryPort, '-c wal_level=replica -c max_wal_senders=4 -c fsync=off');
    await query(this.serverUrl(this.primaryPort, 'postgres'), `CREATE DATABASE ${DATABASE}`);
    services.migrate(this.primaryUrl);
    services.pgRun('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres'],
      // A fast checkpoint: the default spreads it over most of checkpoint_timeout (minutes) after the migrations.
      ...['-D', this.dataDir('replica'), '-R', '-X', 'stream', '--checkpoint=fast'],
    ]);
    this.startServer('replica', this.replicaPort, '-c hot_standby=on');
    await waitFor(
      async () =>
        (await query<{ standby: boolean }>(this.replicaUrl, 'SELECT pg_is_in_recovery() AS standby'))[0].standby,
      { what: 'the replica to accept reads', timeoutMs: 20_000 },
    );
  }

  get primaryUrl(): string {
    return this.serverUrl(this.primaryPort, DATABASE);
  }

  get replicaUrl(): string {
    return this.serverUrl(this.replicaPort, DATABASE);
  }

  /** Stops applying the primary's WAL: from now on the replica shows the database as it is now. */
  async pauseReplay(): Promise<void> {
    await query(this.replicaUrl, 'SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await query(this.replicaUrl, 'SELECT pg_wal_replay_resume()');
  }

  /** Waits until the replica has applied everything the primary has written so far. */
  async caughtUp(): Promise<void> {
    const [{ lsn }] = await query<{ lsn: string }>(this.primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor(
      async () =>
        (
          await query<{ behind: boolean }>(
            this.replicaUrl,
            `SELECT pg_last_wal_replay_lsn() < '${lsn}'::pg_lsn AS behind`,
          )
        )[0].behind === false,
      { what: 'the replica to catch up', timeoutMs: 20_000 },
    );
  }

  destroy(): void {
    for (const server of ['replica', 'primary'] as const) {
      try {
        services.pgRun('pg_ctl', ['-D', this.dataDir(server), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // not running
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private dataDir(server: 'primary' | 'replica'): string {
    return join(this.dir, server);
  }

  private serverUrl(port: number, database: string): string {
    return `postgresql://postgres@127.0.0.1:${port}/${database}`;
  }

  private startServer(server: 'primary' | 'replica', port: number, settings: string): void {
    const dataDir = this.dataDir(server);
    const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 ${settings}`;
    services.pgRun('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', 'start']);
  }
}
