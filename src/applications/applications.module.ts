import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ApplicationDirectory } from './application-directory';
import { ApplicationRepository } from './application.repository';
import { ApplicationService } from './application.service';

/** Applications (tenants, contract §7.1): the table, its service, and the cached directory the hot paths ask. */
@Module({
  imports: [AuditModule],
  providers: [ApplicationRepository, ApplicationService, ApplicationDirectory],
  exports: [ApplicationService, ApplicationDirectory],
})
export class ApplicationsModule {}
