import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { SecretBox } from '../common/crypto/secret-box';
import { Endpoint, Prisma } from '../generated/prisma/client';
import { ApplicationFilter, inApplication } from '../common/tenancy/application-filter';

/** Endpoints; their signing secrets and auth are sealed on the way in and opened on the way out (SecretBox). */
/** An enabled endpoint, and whether new deliveries may be made for it (its application is enabled). */
export type ActiveEndpoint = Endpoint & { routable: boolean };

@Injectable()
export class EndpointRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>,
    private readonly secrets: SecretBox,
  ) {}

  async findLive(id: string): Promise<Endpoint | null> {
    return this.open(await this.txHost.tx.endpoint.findFirst({ where: { id, deletedAt: null } }));
  }

  async isLive(id: string): Promise<boolean> {
    return (await this.txHost.tx.endpoint.count({ where: { id, deletedAt: null } })) > 0;
  }

  /**
   * Enabled and not deleted: the endpoints whose deliveries may run. `routable` when their application is enabled
   * too: only those get anything new (§7.1); a disabled application's deliveries in hand finish with their controls.
   */
  async findActive(): Promise<ActiveEndpoint[]> {
    const rows = await this.txHost.tx.endpoint.findMany({
      where: { enabled: true, deletedAt: null },
      include: { application: { select: { disabledAt: true } } },
    });
    return rows.map(({ application, ...row }) => ({ ...this.open(row)!, routable: application.disabledAt === null }));
  }

  /** Seals every secret stored in clear or with an earlier key; returns how many endpoints changed. */
  async resealSecrets(): Promise<number> {
    const rows = await this.txHost.tx.endpoint.findMany({
      select: { id: true, secret: true, previousSecret: true, auth: true },
    });
    return this.secrets.resealRows(rows, ['secret', 'previousSecret', 'auth'] as const, (id, data) =>
      this.txHost.tx.endpoint.update({ where: { id }, data }),
    );
  }

  listPage(limit: number, after: KeysetPosition | undefined, applications: ApplicationFilter): Promise<Endpoint[]> {
    return this.txHost.tx.endpoint.findMany({
      where: { deletedAt: null, ...inApplication(applications), ...keysetAfter('createdAt', after) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  async create(data: Prisma.EndpointCreateInput): Promise<Endpoint> {
    return this.open(await this.txHost.tx.endpoint.create({ data: this.seal(data) }))!;
  }

  async update(id: string, data: Prisma.EndpointUpdateInput): Promise<Endpoint> {
    return this.open(await this.txHost.tx.endpoint.update({ where: { id }, data: this.seal(data) }))!;
  }

  private seal<T extends { secret?: unknown; previousSecret?: unknown; auth?: unknown }>(data: T): T {
    const sealed = this.secrets.sealFields(data);
    return typeof sealed.auth === 'string' ? { ...sealed, auth: this.secrets.seal(sealed.auth) } : sealed;
  }

  private open(row: Endpoint | null): Endpoint | null {
    return row && { ...this.secrets.openFields(row), auth: this.secrets.openOptional(row.auth) };
  }
}
