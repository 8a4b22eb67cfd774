import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ConsoleSessionService } from './console-session.service';

/** Management API authentication: hashed keys with scopes (API role only). The guard is applied globally by the API root. */
@Global()
@Module({ controllers: [ApiKeysController], providers: [ApiKeyRepository, ApiKeyService, ApiKeyGuard, ConsoleSessionService], exports: [ApiKeyService, ApiKeyGuard, ConsoleSessionService] })
export class ManagementModule {}
