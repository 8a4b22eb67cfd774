import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../../config/app-config';

/**
 * node-postgres pool for the measured hot paths (ingest batches, delivery claims and records): prepared
 * statements without Prisma's query building. Only repositories inject it.
 */
@Injectable()
export class HotPathPool extends Pool implements OnModuleDestroy {
  constructor(config: AppConfig) {
    super({ connectionString: config.databaseUrl, max: config.databasePoolSize, connectionTimeoutMillis: 5_000 });
    // An idle client's connection error (PostgreSQL restarted) must not crash the process; the next query reconnects.
    this.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.ended) await this.end();
  }
}
