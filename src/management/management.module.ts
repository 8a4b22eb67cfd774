import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ApplicationsModule } from '../applications/applications.module';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ConsoleSessionService } from './console-session.service';
import { PortalSessionService } from './portal-session.service';

/**
 * Management authentication: hashed API keys with scopes, the console's sessions and the portal's links and
 * sessions (API role only). The guard is applied globally by the API root.
 */
@Module({
  imports: [AuditModule, ApplicationsModule],
  controllers: [ApiKeysController],
  providers: [ApiKeyRepository, ApiKeyService, ApiKeyGuard, ConsoleSessionService, PortalSessionService],
  exports: [ApiKeyService, ApiKeyGuard, ConsoleSessionService, PortalSessionService],
})
export class ManagementModule {}
