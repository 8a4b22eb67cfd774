import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig } from '../../config/app-config';
import { PrismaClient } from '../../generated/prisma/client';
import { PrismaService } from './prisma.service';

/**
 * Where the management API's read-only searches and lists are read: the replica of DATABASE_READ_URL, or the
 * primary's own client when none is set. A replica lags the primary by the replication delay, so nothing that reads
 * in order to write uses it (replay walks and counts, claims, the hot paths), and a lookup by id that misses there
 * asks the primary: a row just created is found.
 */
@Injectable()
export class ReadReplica implements OnApplicationShutdown {
  readonly client: PrismaClient;
  /** False without DATABASE_READ_URL: `client` is then the primary's. */
  readonly separate: boolean;

  constructor(config: AppConfig, primary: PrismaService) {
    this.separate = Boolean(config.databaseReadUrl);
    this.client = config.databaseReadUrl
      ? new PrismaClient({
          adapter: new PrismaPg({
            connectionString: config.databaseReadUrl,
            max: config.databasePoolSize,
            connectionTimeoutMillis: 5_000,
          }),
        })
      : primary;
  }

  /** The replica's answer, or the primary's when the replica has no such row (yet). */
  async findOrAskPrimary<T>(
    primary: PrismaClient,
    find: (client: PrismaClient) => Promise<T | null>,
  ): Promise<T | null> {
    const found = await find(this.client);
    return found ?? (this.separate ? find(primary) : null);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.separate) await this.client.$disconnect();
  }
}
