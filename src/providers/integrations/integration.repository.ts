import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { KeysetPosition, keysetAfter } from '../../common/pagination/page';
import { PrismaService } from '../../common/database/prisma.service';
import { Integration, Prisma } from '../../generated/prisma/client';

@Injectable()
export class IntegrationRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  findBySlug(slug: string): Promise<Integration | null> {
    return this.txHost.tx.integration.findUnique({ where: { slug } });
  }

  findById(id: string): Promise<Integration | null> {
    return this.txHost.tx.integration.findUnique({ where: { id } });
  }

  /** Newest first, strictly after `after`; fetches limit + 1 rows so the caller knows whether a page follows. */
  listPage(limit: number, after?: KeysetPosition): Promise<Integration[]> {
    return this.txHost.tx.integration.findMany({
      where: keysetAfter('createdAt', after),
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  create(data: Prisma.IntegrationCreateInput): Promise<Integration> {
    return this.txHost.tx.integration.create({ data });
  }

  update(id: string, data: Prisma.IntegrationUpdateInput): Promise<Integration> {
    return this.txHost.tx.integration.update({ where: { id }, data });
  }
}
