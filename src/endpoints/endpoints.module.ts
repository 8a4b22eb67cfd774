import { ApplicationsModule } from '../applications/applications.module';
import { Module } from '@nestjs/common';
import { TransformationsModule } from '../transformations/transformations.module';
import { EventsModule } from '../events/events.module';
import { ActiveEndpoints } from './active-endpoints';
import { EndpointGate } from './endpoint-gate';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';
import { EventRouter } from './event-router';
import { AuditModule } from '../audit/audit.module';
import { SecretsModule } from '../common/crypto/secrets.module';

@Module({
  imports: [AuditModule, SecretsModule, EventsModule, ApplicationsModule, TransformationsModule],
  providers: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate, EventRouter],
  exports: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate, EventRouter, TransformationsModule],
})
export class EndpointsModule {}
