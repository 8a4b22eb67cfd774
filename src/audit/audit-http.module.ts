import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuditController } from './audit.controller';
import { AuditModule } from './audit.module';
import { AuditTrailService } from './audit-trail.service';

/** The trail's readers (the API and the console); apart from AuditModule, which every writer imports. */
@Module({
  imports: [AuditModule, ApplicationsModule],
  controllers: [AuditController],
  providers: [AuditTrailService],
  exports: [AuditTrailService],
})
export class AuditHttpModule {}
