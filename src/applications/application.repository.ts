import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { keysetAfter, KeysetPosition } from '../common/pagination/page';
import { Application, Prisma } from '../generated/prisma/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The applications table. */
@Injectable()
export class ApplicationRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  /** By id or by uid (contract §7.1: `:id` accepts either). */
  findByIdOrUid(idOrUid: string): Promise<Application | null> {
    return this.txHost.tx.application.findFirst({
      where: UUID.test(idOrUid) ? { OR: [{ id: idOrUid }, { uid: idOrUid }] } : { uid: idOrUid },
    });
  }

  findAll(): Promise<Application[]> {
    return this.txHost.tx.application.findMany();
  }

  /** Newest first, strictly after `after`; fetches limit + 1 rows so the caller knows whether a page follows. */
  listPage(limit: number, after?: KeysetPosition): Promise<Application[]> {
    return this.txHost.tx.application.findMany({
      where: keysetAfter('createdAt', after),
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  create(data: Prisma.ApplicationCreateInput): Promise<Application> {
    return this.txHost.tx.application.create({ data });
  }

  update(id: string, data: Prisma.ApplicationUpdateInput): Promise<Application> {
    return this.txHost.tx.application.update({ where: { id }, data });
  }
}
