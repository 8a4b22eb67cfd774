import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuditModule } from '../audit/audit.module';
import { EventTypeRepository } from './event-type.repository';
import { EventTypeSchemas } from './event-type-schemas';
import { EventTypeService } from './event-type.service';

/** Event types (contract §7.3): the catalog, and the compiled schemas the ingress checks generic messages against. */
@Module({
  imports: [AuditModule, ApplicationsModule],
  providers: [EventTypeRepository, EventTypeSchemas, EventTypeService],
  exports: [EventTypeSchemas, EventTypeService],
})
export class EventTypesModule {}
