import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

/** Management API authentication: hashed keys with scopes. The guard is applied globally by the API root. */
@Global()
@Module({ providers: [ApiKeyRepository, ApiKeyService, ApiKeyGuard], exports: [ApiKeyService, ApiKeyGuard] })
export class ManagementModule {}
