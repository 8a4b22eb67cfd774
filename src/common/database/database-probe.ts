import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/** The readiness check's question to PostgreSQL: can this process run a statement now? */
@Injectable()
export class DatabaseProbe {
  constructor(private readonly prisma: PrismaService) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }
}
