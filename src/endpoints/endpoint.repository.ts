import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { Endpoint, Prisma } from '../generated/prisma/client';

@Injectable()
export class EndpointRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  findLive(id: string): Promise<Endpoint | null> {
    return this.txHost.tx.endpoint.findFirst({ where: { id, deletedAt: null } });
  }

  /** Enabled, not deleted: the candidates of a fan-out. */
  findActive(): Promise<Endpoint[]> {
    return this.txHost.tx.endpoint.findMany({ where: { enabled: true, deletedAt: null } });
  }

  listPage(limit: number, after?: KeysetPosition): Promise<Endpoint[]> {
    return this.txHost.tx.endpoint.findMany({
      where: { deletedAt: null, ...keysetAfter('createdAt', after) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  create(data: Prisma.EndpointCreateInput): Promise<Endpoint> {
    return this.txHost.tx.endpoint.create({ data });
  }

  update(id: string, data: Prisma.EndpointUpdateInput): Promise<Endpoint> {
    return this.txHost.tx.endpoint.update({ where: { id }, data });
  }
}
