import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { KeysetPosition, keysetAfter } from '../../common/pagination/page';
import { PrismaService } from '../../common/database/prisma.service';
import { Prisma } from '../../generated/prisma/client';
import { SecretBox } from '../../common/crypto/secret-box';
import { ApplicationFilter, inApplication } from '../../common/tenancy/application-filter';

/** Every read names the application (its uid) the integration belongs to. */
const WITH_APPLICATION = { application: { select: { uid: true } } } as const;

/** An integration with the uid of its application. */
export type IntegrationRow = Prisma.IntegrationGetPayload<{ include: typeof WITH_APPLICATION }>;

/** Integrations; their secrets are sealed on the way in and opened on the way out, so callers see them in clear. */
@Injectable()
export class IntegrationRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>,
    private readonly secrets: SecretBox,
  ) {}

  async findBySlug(applicationId: string, slug: string): Promise<IntegrationRow | null> {
    return this.secrets.openFields(
      await this.txHost.tx.integration.findUnique({
        where: { applicationId_slug: { applicationId, slug } },
        include: WITH_APPLICATION,
      }),
    );
  }

  async findById(id: string): Promise<IntegrationRow | null> {
    return this.secrets.openFields(
      await this.txHost.tx.integration.findUnique({ where: { id }, include: WITH_APPLICATION }),
    );
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
  listPage(
    limit: number,
    after: KeysetPosition | undefined,
    applications: ApplicationFilter,
  ): Promise<IntegrationRow[]> {
    return this.txHost.tx.integration.findMany({
      where: { ...inApplication(applications), ...keysetAfter('createdAt', after) },
      include: WITH_APPLICATION,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  async create(data: Prisma.IntegrationCreateInput): Promise<IntegrationRow> {
    return this.secrets.openFields(
      await this.txHost.tx.integration.create({ data: this.secrets.sealFields(data), include: WITH_APPLICATION }),
    );
  }

  async update(id: string, data: Prisma.IntegrationUpdateInput): Promise<IntegrationRow> {
    return this.secrets.openFields(
      await this.txHost.tx.integration.update({
        where: { id },
        data: this.secrets.sealFields(data),
        include: WITH_APPLICATION,
      }),
    );
  }
}
