import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { KeysetPosition, keysetAfter } from '../../common/pagination/page';
import { PrismaService } from '../../common/database/prisma.service';
import { Integration, Prisma } from '../../generated/prisma/client';
import { SecretBox } from '../../common/crypto/secret-box';

/** Integrations; their secrets are sealed on the way in and opened on the way out, so callers see them in clear. */
@Injectable()
export class IntegrationRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>,
    private readonly secrets: SecretBox,
  ) {}

  async findBySlug(slug: string): Promise<Integration | null> {
    return this.secrets.openFields(await this.txHost.tx.integration.findUnique({ where: { slug } }));
  }

  async findById(id: string): Promise<Integration | null> {
    return this.secrets.openFields(await this.txHost.tx.integration.findUnique({ where: { id } }));
  }

  /** Seals every secret stored in clear or with an earlier key; returns how many integrations changed. */
  async resealSecrets(): Promise<number> {
    const rows = await this.txHost.tx.integration.findMany({
      select: { id: true, secret: true, previousSecret: true },
    });
    return this.secrets.resealRows(rows, ['secret', 'previousSecret'] as const, (id, data) =>
      this.txHost.tx.integration.update({ where: { id }, data }),
    );
  }

  /** Newest first, strictly after `after`; fetches limit + 1 rows so the caller knows whether a page follows. */
  listPage(limit: number, after?: KeysetPosition): Promise<Integration[]> {
    return this.txHost.tx.integration.findMany({
      where: keysetAfter('createdAt', after),
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  async create(data: Prisma.IntegrationCreateInput): Promise<Integration> {
    return this.secrets.openFields(await this.txHost.tx.integration.create({ data: this.secrets.sealFields(data) }));
  }

  async update(id: string, data: Prisma.IntegrationUpdateInput): Promise<Integration> {
    return this.secrets.openFields(
      await this.txHost.tx.integration.update({ where: { id }, data: this.secrets.sealFields(data) }),
    );
  }
}
