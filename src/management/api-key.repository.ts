import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { ApiKey, ApiKeyScope } from '../generated/prisma/client';

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { keyHash, revokedAt: null } });
  }

  /** Creates the key unless the same key was stored before; a stored one is returned as it is (revoked or not). */
  ensureByHash(keyHash: string, data: { name: string; scope: ApiKeyScope; prefix: string }): Promise<ApiKey> {
    return this.prisma.apiKey.upsert({ where: { keyHash }, create: { keyHash, ...data }, update: {} });
  }

  create(data: { name: string; scope: ApiKeyScope; keyHash: string; prefix: string }): Promise<ApiKey> {
    return this.prisma.apiKey.create({ data });
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
  }
}
