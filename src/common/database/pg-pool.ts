import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { AppConfig } from '../../config/app-config';

/**
 * A client that sends every statement unnamed, parsed on each run (DATABASE_PREPARED_STATEMENTS=false): what a pooler
 * that hands each transaction to any server connection can carry, where a statement prepared on one connection does
 * not exist on the next (PgBouncer in transaction mode before 1.21). The repositories keep naming their statements.
 */
class UnnamedStatementsClient extends Client {}
// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with a client as `this`, below
const namedQuery = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
Object.defineProperty(UnnamedStatementsClient.prototype, 'query', {
  value(this: Client, config: unknown, ...rest: unknown[]) {
    if (
      config &&
      typeof config === 'object' &&
      Object.getPrototypeOf(config) === Object.prototype &&
      'name' in config
    ) {
      const { name: _name, ...unnamed } = config as { name?: unknown };
      return namedQuery.call(this, unnamed, ...rest);
    }
    return namedQuery.call(this, config, ...rest);
  },
});

/**
 * node-postgres pool for the measured hot paths (ingest batches, delivery claims and records): prepared
 * statements without Prisma's query building. Only repositories inject it.
 */
@Injectable()
export class HotPathPool extends Pool implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      connectionTimeoutMillis: 5_000,
      ...(config.databasePreparedStatements ? {} : { Client: UnnamedStatementsClient }),
    });
    // An idle client's connection error (PostgreSQL restarted) must not crash the process; the next query reconnects.
    this.on('error', () => undefined);
  }

  /**
   * Closed in Nest's last shutdown phase, never in onModuleDestroy: Nest runs every phase over the global modules
   * first, so a pool closed there is gone before the feature modules' own hooks (a worker's last notices) and before
   * the HTTP server has finished its requests in hand.
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.ended) await this.end();
  }
}
