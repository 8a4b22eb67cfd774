import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { DatabaseModule } from './database.module';
import { PrismaService } from './prisma.service';

/**
 * The one way management changes span repositories: `@Transactional()` (or `TransactionHost.withTransaction`) opens
 * a Prisma transaction that every repository's `txHost.tx` joins. Registered on the request context (ContextModule).
 */
export function ambientTransactions(): ClsPluginTransactional {
  return new ClsPluginTransactional({
    imports: [DatabaseModule],
    adapter: new TransactionalAdapterPrisma({ prismaInjectionToken: PrismaService }),
  });
}
