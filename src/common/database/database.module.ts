import { Global, Module } from '@nestjs/common';
import { DatabaseProbe } from './database-probe';
import { HotPathPool } from './pg-pool';
import { PrismaService } from './prisma.service';
import { ReadReplica } from './read-replica';

/** Global because every module's repository needs it; only repositories (and DatabaseProbe) may use its clients. */
@Global()
@Module({
  providers: [PrismaService, ReadReplica, HotPathPool, DatabaseProbe],
  exports: [PrismaService, ReadReplica, HotPathPool, DatabaseProbe],
})
export class DatabaseModule {}
