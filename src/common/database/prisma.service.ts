import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig } from '../../config/app-config';
import { PrismaClient } from '../../generated/prisma/client';

/** The Prisma client of the primary (DATABASE_URL), over node-postgres. Repositories use it; services never do. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.databaseUrl,
        max: config.databasePoolSize,
        connectionTimeoutMillis: 5_000,
      }),
    });
  }

  /** In the last shutdown phase, for the reason HotPathPool gives. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
