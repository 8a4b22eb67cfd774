import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ApplicationBacklogs } from './application-backlogs';
import { ApplicationDirectory } from './application-directory';
import { ApplicationRepository } from './application.repository';
import { ApplicationService } from './application.service';

/**
 * Applications (tenants, contract §7.1): the table, its service, the cached directory the hot paths ask, and which
 * applications have deliveries coming (for the workers' fair shares).
 */
@Module({
  imports: [AuditModule],
  providers: [ApplicationRepository, ApplicationService, ApplicationDirectory, ApplicationBacklogs],
  exports: [ApplicationService, ApplicationDirectory, ApplicationBacklogs],
})
export class ApplicationsModule {}
