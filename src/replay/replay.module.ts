import { ApplicationsModule } from '../applications/applications.module';
import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { ReplayRepository } from './replay.repository';
import { ReplayService } from './replay.service';
import { AuditModule } from '../audit/audit.module';

@Module({
  imports: [EventsModule, EndpointsModule, AuditModule, ApplicationsModule],
  providers: [ReplayRepository, ReplayService],
  exports: [ReplayService, ReplayRepository],
})
export class ReplayModule {}
