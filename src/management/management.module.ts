import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AuditModule } from '../audit/audit.module';

/** Management API authentication: hashed keys with scopes (API role only). The guard is applied globally by the API root. */
@Module({ imports: [AuditModule], controllers: [ApiKeysController], providers: [ApiKeyRepository, ApiKeyService, ApiKeyGuard], exports: [ApiKeyService, ApiKeyGuard] })
export class ManagementModule {}
