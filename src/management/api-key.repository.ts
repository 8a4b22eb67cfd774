import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { ApiKey, ApiKeyScope } from '../generated/prisma/client';
import { ApplicationFilter, inApplication } from '../common/tenancy/application-filter';

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { keyHash, revokedAt: null } });
  }

  findActiveById(id: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { id, revokedAt: null } });
  }

  /** Creates the key unless the same key was stored before; a stored one is returned as it is (revoked or not). */
  ensureByHash(keyHash: string, data: { name: string; scope: ApiKeyScope; prefix: string }): Promise<ApiKey> {
    return this.prisma.apiKey.upsert({ where: { keyHash }, create: { keyHash, ...data }, update: {} });
  }

  create(data: {
    name: string;
    scope: ApiKeyScope;
    keyHash: string;
    prefix: string;
    applicationId: string | null;
  }): Promise<ApiKey> {
    return this.prisma.apiKey.create({ data });
  }

  /**
   * Active keys (of one application when `applicationId` is given), newest first, strictly after `after`; limit + 1
   * rows so the caller knows whether a page follows.
   */
  listActivePage(limit: number, after: KeysetPosition | undefined, applications: ApplicationFilter) {
    return this.prisma.apiKey.findMany({
      where: { revokedAt: null, ...inApplication(applications), ...keysetAfter('createdAt', after) },
      include: { application: { select: { uid: true } } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  /**
   * Revokes an active key (of that application, when given): the key revoked now, with its application, or
   * undefined when there is no such active key.
   */
  async revoke(id: string, at: Date, applicationId?: string): Promise<{ applicationId: string | null } | undefined> {
    const [revoked] = await this.prisma.apiKey.updateManyAndReturn({
      where: { id, revokedAt: null, ...(applicationId ? { applicationId } : {}) },
      data: { revokedAt: at },
      select: { applicationId: true },
    });
    return revoked;
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
  }
}
