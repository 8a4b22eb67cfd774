import { Global, Module } from '@nestjs/common';
import { DatabaseProbe } from './database-probe';
import { HotPathPool } from './pg-pool';
import { PrismaService } from './prisma.service';

/** Global because every module's repository needs it; only repositories (and DatabaseProbe) may use its clients. */
@Global()
@Module({
  providers: [PrismaService, HotPathPool, DatabaseProbe],
  exports: [PrismaService, HotPathPool, DatabaseProbe],
})
export class DatabaseModule {}
