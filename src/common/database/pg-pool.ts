import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../../config/app-config';

/**
 * node-postgres pool for the measured hot paths (ingest batches, delivery claims and records): prepared
 * statements without Prisma's query building. Only repositories inject it.
 */
@Injectable()
export class HotPathPool extends Pool implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super({ connectionString: config.databaseUrl, max: config.databasePoolSize, connectionTimeoutMillis: 5_000 });
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
